/**
 * Bounds on the incarnation numbers a member believes, so that one forged
 * packet (gossip is not authenticated without `encrypt_key`) cannot push a
 * member's incarnation to where it can no longer refute. The rules, as
 * docs/protocol.md ("Incarnation bounds") states them:
 *
 * 1. A claim above INCARNATION_CEILING is refused (no member's record ever
 *    holds more; a member that would refute above it stays at it).
 * 2. A known member's believed incarnation rises by at most
 *    MAX_INCARNATION_RISE per RISE_WINDOW_MS, however many claims (in one
 *    packet, one push-pull, or many packets) ask for more; past that, by at
 *    most REFUTE_STEP per claim, which leaves room for refutations.
 * 3. A claim about a member not known is believed only up to NEW_MEMBER_CEILING.
 *
 * A member's claims about itself are never bounded by rules 2 and 3: it
 * refutes at heard + 1, so whatever one forged packet did, the next
 * refutation lies within the rise that every other member accepts.
 */

/** Highest incarnation believed; half the u32 range, so that refutations always have room. */
export const INCARNATION_CEILING = 2 ** 31 - 1;
/** Largest rise of a known member's believed incarnation within one RISE_WINDOW_MS. */
export const MAX_INCARNATION_RISE = 2 ** 16;
/**
 * Past its window's rise, a claim may still go this far above the known
 * incarnation: a refutation outbids what it heard by one, so a member pushed
 * to the window's limit by a forgery can still refute it. A forger gains only
 * this much per claim once the window is spent.
 */
export const REFUTE_STEP = 8;
/** The window over which rises add up: reaching the ceiling from 0 takes 2^15 of them (23 days). */
export const RISE_WINDOW_MS = 60_000;
/** Highest incarnation at which a member first heard of is believed. */
export const NEW_MEMBER_CEILING = 2 ** 24;

/** What to believe of a claimed incarnation: `refused`, or the incarnation to use and whether it was lowered. */
export type Bounded = { readonly refused: true } | { readonly refused: false; readonly incarnation: number; readonly bounded: boolean };

/**
 * The incarnation to believe when a claim says `claimed` about a member known
 * at `known` (undefined: not known), whose rises count from `base` (the
 * incarnation known when its current window began; default `known`).
 */
export function boundIncarnation(claimed: number, known: number | undefined, base = known): Bounded {
  if (claimed > INCARNATION_CEILING) return { refused: true };
  const limit = known === undefined || base === undefined ? NEW_MEMBER_CEILING : Math.min(INCARNATION_CEILING, Math.max(known + REFUTE_STEP, base + MAX_INCARNATION_RISE));
  return claimed > limit ? { refused: false, incarnation: limit, bounded: true } : { refused: false, incarnation: claimed, bounded: false };
}

/** How far ahead of the receiver's clock (seconds) a Load's seq, itself whole seconds of the sender's clock, may be. */
export const MAX_LOAD_SEQ_AHEAD_S = 600;

/**
 * Per member, the incarnation known when its current rise window began, so
 * that rises add up across claims and packets (rule 2). One entry per member
 * known; forget a member when it is reaped.
 */
export class RiseWindows {
  private readonly windows = new Map<string, { start: number; base: number }>();

  /** Where the rises of member `id`, known at `known`, count from at `now`. */
  base(id: string, known: number, now: number): number {
    const w = this.windows.get(id);
    if (w === undefined || now - w.start >= RISE_WINDOW_MS || known < w.base) {
      this.windows.set(id, { start: now, base: known });
      return known;
    }
    return w.base;
  }

  forget(id: string): void {
    this.windows.delete(id);
  }
}
