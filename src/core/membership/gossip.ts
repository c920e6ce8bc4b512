/**
 * Dissemination: every gossip round this member sends the queued updates
 * (broadcasts.ts) to a few random members, recently dead ones included so
 * that a wrongly declared member learns of it, and reaps members dead or
 * gone for longer than the reap time. Load reports spread the same way,
 * ordered by their own sequence rather than by incarnation.
 */
import { MAX_LOAD_SEQ_AHEAD_S } from './incarnation.js';
import { PACKET_OVERHEAD } from './codec.js';
import { MsgType, type Load } from './messages.js';
import type { MembershipState } from './state.js';
import type { MemberLoad } from './types.js';

/** Largest Load seq the wire carries. */
const MAX_LOAD_SEQ = 0xffffffff;

/** Sends queued updates to `gossipNodes` random members, as long as there are updates to send. */
export function gossip(s: MembershipState, now: number): void {
  const targets = s.randomMembers(
    s.config.gossipNodes,
    (r) => r.state === 'alive' || r.state === 'suspect' || (r.state === 'dead' && now - r.stateChangedAt < s.config.gossipToTheDeadMs),
  );
  for (const t of targets) {
    const messages = s.broadcasts.take(s.config.maxPacketBytes - PACKET_OVERHEAD, s.retransmitLimit());
    if (messages.length === 0) return;
    s.out.packets.push({ to: t.addr, messages });
  }
}

/** Forgets the members dead or left for at least `reapMs`. */
export function reap(s: MembershipState, now: number): void {
  for (const [id, r] of s.records) {
    if ((r.state === 'dead' || r.state === 'left') && now - r.stateChangedAt >= s.config.reapMs && id !== s.id) {
      s.records.delete(id);
      s.rises.forget(id);
      s.event('reap', r);
    }
  }
}

/** Queues this member's load for gossip under a new seq; `now` must be a wall clock (ms) for restarts to be told apart. */
export function spreadLoad(s: MembershipState, load: MemberLoad, now: number): void {
  const self = s.self();
  // Whole seconds of the clock, so a restarted member's updates still count as newer.
  s.loadSeq = Math.min(MAX_LOAD_SEQ, Math.max(s.loadSeq + 1, Math.floor(now / 1000)));
  self.load = { ...load, seq: s.loadSeq, heardAt: now };
  s.broadcasts.add(`load:${s.id}`, { type: MsgType.Load, id: s.id, seq: s.loadSeq, cpu: load.cpu, lagMs: load.lagMs });
}

/** Takes and passes on another member's load report when it is newer than the one known and not implausibly far ahead. */
export function onLoad(s: MembershipState, m: Load, now: number): void {
  if (m.id === s.id) return;
  const r = s.records.get(m.id);
  if (r === undefined || (r.load && m.seq <= r.load.seq)) return;
  // Whole seconds of the sender's clock: one far ahead of ours (a forgery) would hide every later update.
  if (m.seq > Math.floor(now / 1000) + MAX_LOAD_SEQ_AHEAD_S) {
    s.counts.claimsRefused++;
    return;
  }
  r.load = { cpu: m.cpu, lagMs: m.lagMs, seq: m.seq, heardAt: now };
  s.broadcasts.add(`load:${m.id}`, m);
}
