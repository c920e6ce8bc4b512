/**
 * Anti-entropy and joining: now and then this member swaps its whole view
 * with a random live member (push-pull over TCP) and tries one dead member
 * again (reconnect), and it announces itself by multicast so that agents on
 * the same network find each other. A merged view is believed claim by
 * claim, except that a remote "dead" only makes this member suspect.
 */
import { onAlive, onDead, onSuspect } from './claims.js';
import { MsgType, type Announce, type PushPull } from './messages.js';
import type { MembershipState } from './state.js';

/** Runs the push-pull and reconnect exchanges that are due. */
export function exchangesDue(s: MembershipState, now: number): void {
  if (now >= s.nextPushPullAt) {
    const peer = s.randomMembers(1, (r) => r.state === 'alive')[0];
    if (peer) s.out.exchanges.push({ to: peer.addr, message: s.pushPull(false) });
    s.nextPushPullAt = now + pushPullInterval(s);
  }
  if (now >= s.nextReconnectAt) {
    const dead = s.randomMembers(1, (r) => r.state === 'dead')[0];
    if (dead) s.out.exchanges.push({ to: dead.addr, message: s.pushPull(false) });
    s.nextReconnectAt = now + s.config.reconnectIntervalMs;
  }
}

/** Multicasts an announcement when one is due: often while alone, less and less often once in a cluster. */
export function announceDue(s: MembershipState, now: number): void {
  if (now < s.nextAnnounceAt) return;
  const self = s.self();
  s.out.announce = { type: MsgType.Announce, id: s.id, addr: self.addr };
  s.announceIntervalMs = s.liveCount > 1 ? Math.min(s.announceIntervalMs * 2, s.config.announceMaxIntervalMs) : s.config.announceIntervalMs;
  s.nextAnnounceAt = now + s.announceIntervalMs;
}

/** Joins a member heard in an announcement, unless it is already live here or was joined recently. */
export function onAnnounce(s: MembershipState, m: Announce, now: number): void {
  if (m.id === s.id || s.leaving) return;
  const r = s.records.get(m.id);
  if (r && (r.state === 'alive' || r.state === 'suspect')) return;
  const last = s.announceJoins.get(m.id);
  if (last !== undefined && now - last < s.config.announceIntervalMs * 5) return;
  s.announceJoins.set(m.id, now);
  s.out.exchanges.push({ to: m.addr, message: s.pushPull(true) });
}

/** Merges a remote member list; a remote "dead" only makes us suspect (we may know better). */
export function merge(s: MembershipState, message: PushPull, now: number): void {
  s.heard(message.from, now);
  for (const m of message.members) {
    if (m.state === 'alive') onAlive(s, { type: MsgType.Alive, id: m.id, incarnation: m.incarnation, addr: m.addr, meta: m.meta }, now);
    else if (m.state === 'left') onDead(s, { type: MsgType.Dead, id: m.id, incarnation: m.incarnation, from: message.from, left: true }, now);
    else if (m.id === s.id) onSuspect(s, { type: MsgType.Suspect, id: m.id, incarnation: m.incarnation, from: message.from }, now);
    else {
      // Learn of members we never heard of, then treat the claim as a suspicion.
      if (!s.records.has(m.id)) onAlive(s, { type: MsgType.Alive, id: m.id, incarnation: m.incarnation, addr: m.addr, meta: m.meta }, now);
      onSuspect(s, { type: MsgType.Suspect, id: m.id, incarnation: m.incarnation, from: message.from }, now);
    }
  }
}

/** The push-pull interval, stretched logarithmically above 32 live members. */
function pushPullInterval(s: MembershipState): number {
  const n = s.liveCount;
  const scale = n <= 32 ? 1 : Math.ceil(Math.log2(n) - Math.log2(32)) + 1;
  return s.config.pushPullIntervalMs * scale;
}
