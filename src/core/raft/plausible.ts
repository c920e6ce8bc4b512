/**
 * Which messages a server refuses before they can change anything: terms and
 * indexes no real group ever reaches, a term that jumps implausibly far past
 * this server's own, and terms a message carries that are above its own term.
 * Without an authenticated transport anyone can send a message; these rules
 * make sure that one forged message costs at most a transient election, never
 * a term from which no further election is possible (docs/raft.md, "Forged
 * messages").
 */
import type { HardState, Message } from './types.js';

/**
 * Terms and log indexes stop here: 2^48. A group holding one election per
 * millisecond would take 8,900 years to reach it; the wire carries up to
 * 2^53 - 1, so a term or index at or above it only comes from a forgery (or
 * from a member that adopted one before this rule existed).
 */
export const MAX_TERM = 2 ** 48;
export const MAX_INDEX = 2 ** 48;
/**
 * The most a message's term may exceed this server's own: 2^32 elections
 * (over a year of elections held back to back, each as short as the
 * fastest election timeout allows, while this server was away). One forged
 * message can raise a term by this much at most, so the 2^48 terms below
 * MAX_TERM last 65,536 of them.
 */
export const MAX_TERM_JUMP = 2 ** 32;
/**
 * A member of the group that keeps sending terms past MAX_TERM_JUMP for this
 * many election timeouts, with no pause longer than JUMP_STREAK_GAP_ELECTIONS,
 * is believed: its term is real to it (forged messages may have pushed
 * members apart), and only adopting it lets the group elect again. A forger
 * must keep sending for as long to raise a term by one jump, so using up the
 * terms below MAX_TERM takes it 65,536 such stretches (days).
 */
export const JUMP_BELIEVED_AFTER_ELECTIONS = 30;
export const JUMP_STREAK_GAP_ELECTIONS = 4;

/** Why a message was refused; each has its own counter. */
export const REFUSAL_REASONS = ['term-ceiling', 'term-jump', 'index-ceiling', 'inconsistent', 'timeout-now'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** Messages refused so far, by reason. */
export type RefusedCounts = Readonly<Record<RefusalReason, number>>;

export function noRefusals(): Record<RefusalReason, number> {
  return { 'term-ceiling': 0, 'term-jump': 0, 'index-ceiling': 0, inconsistent: 0, 'timeout-now': 0 };
}

/** The terms a message carries besides its own: none of them can be above the sender's term. */
function carriedTerms(m: Message): number[] {
  switch (m.type) {
    case 'pre-vote':
    case 'vote':
      return [m.lastTerm];
    case 'append':
      return [m.prevTerm, ...m.entries.map((e) => e.term)];
    case 'append-resp':
      return [m.hintTerm];
    case 'snapshot':
      return [m.meta.term];
    default:
      return [];
  }
}

/** The log indexes (and snapshot byte counts) a message carries. */
function carriedIndexes(m: Message): number[] {
  switch (m.type) {
    case 'pre-vote':
    case 'vote':
      return [m.lastIndex];
    case 'append':
      return [m.prevIndex, m.commit, ...m.entries.map((e) => e.index)];
    case 'append-resp':
      return [m.index, m.hintIndex];
    case 'heartbeat':
      return [m.commit];
    case 'snapshot':
      return [m.meta.index, m.size, m.offset];
    case 'snapshot-resp':
      return [m.index, m.offset];
    case 'read-index-resp':
      return [m.index];
    default:
      return [];
  }
}

/**
 * Why a server whose own term is `ownTerm` must refuse `m` whatever its
 * state, or null. A forwarded proposal's term means nothing and is not
 * checked.
 */
export function implausible(m: Message, ownTerm: number): RefusalReason | null {
  if (m.type === 'propose') return null;
  if (!(m.term < MAX_TERM)) return 'term-ceiling';
  if (m.term - ownTerm > MAX_TERM_JUMP) return 'term-jump';
  if (!carriedIndexes(m).every((i) => i < MAX_INDEX)) return 'index-ceiling';
  if (!carriedTerms(m).every((t) => t <= m.term)) return 'inconsistent';
  return null;
}

/**
 * What is wrong with a stored hard state no election can move on from (a
 * term at or above MAX_TERM, adopted from a forged message before this rule
 * existed), or null.
 */
export function storedTermProblem(hardState: HardState): string | null {
  if (hardState.term < MAX_TERM) return null;
  return (
    `the stored Raft term ${hardState.term} is at or above the ceiling of 2^48 (${MAX_TERM}); ` +
    'it can only come from a forged message adopted by an earlier version, and no election can follow it'
  );
}

/**
 * Remembers, per member, how long it has kept sending terms past the jump
 * bound, so that a member pushed far ahead (by forged messages, or after many
 * elections while this server was away) is believed once it has insisted for
 * JUMP_BELIEVED_AFTER_ELECTIONS election timeouts. Holds one entry per member
 * that has sent such a term: bounded by the group's size.
 */
export class JumpStreaks {
  private readonly streaks = new Map<string, { first: number; last: number }>();

  constructor(private readonly electionTicks: number) {}

  /** Notes a message from member `from` at tick `now` whose term jumps too far; returns whether it is to be believed. */
  insisted(from: string, now: number): boolean {
    const streak = this.streaks.get(from);
    if (streak === undefined || now - streak.last > JUMP_STREAK_GAP_ELECTIONS * this.electionTicks) {
      this.streaks.set(from, { first: now, last: now });
      return false;
    }
    streak.last = now;
    return now - streak.first >= JUMP_BELIEVED_AFTER_ELECTIONS * this.electionTicks;
  }
}
