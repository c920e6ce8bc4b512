/**
 * Bounds on the incarnation numbers a member believes, so that one forged
 * packet (gossip is not authenticated without `encrypt_key`) cannot push a
 * member's incarnation to where it can no longer refute. The rules, as
 * docs/protocol.md ("Incarnation bounds") states them:
 *
 * 1. A claim above INCARNATION_CEILING is refused (no member's record ever
 *    holds more; a member that would refute above it stays at it).
 * 2. A claim about a known member that rises more than MAX_INCARNATION_RISE
 *    above the incarnation known is believed only up to known + rise.
 * 3. A claim about a member not known is believed only up to NEW_MEMBER_CEILING.
 *
 * A member's claims about itself are never bounded by rules 2 and 3: it
 * refutes at heard + 1, so whatever one forged packet did, the next
 * refutation lies within the rise that every other member accepts.
 */

/** Highest incarnation believed; half the u32 range, so that refutations always have room. */
export const INCARNATION_CEILING = 2 ** 31 - 1;
/** Largest rise over a known member's incarnation that one claim can bring. */
export const MAX_INCARNATION_RISE = 2 ** 16;
/** Highest incarnation at which a member first heard of is believed. */
export const NEW_MEMBER_CEILING = 2 ** 24;

/** What to believe of a claimed incarnation: `refused`, or the incarnation to use and whether it was lowered. */
export type Bounded = { readonly refused: true } | { readonly refused: false; readonly incarnation: number; readonly bounded: boolean };

/** The incarnation to believe when a claim says `claimed` about a member known at `known` (undefined: not known). */
export function boundIncarnation(claimed: number, known: number | undefined): Bounded {
  if (claimed > INCARNATION_CEILING) return { refused: true };
  const limit = known === undefined ? NEW_MEMBER_CEILING : Math.min(INCARNATION_CEILING, known + MAX_INCARNATION_RISE);
  return claimed > limit ? { refused: false, incarnation: limit, bounded: true } : { refused: false, incarnation: claimed, bounded: false };
}

/** How far ahead of the receiver's clock (seconds) a Load's seq, itself whole seconds of the sender's clock, may be. */
export const MAX_LOAD_SEQ_AHEAD_S = 600;
