/**
 * The SWIM + Lifeguard membership state machine. Pure: packets and time go
 * in (`receive`, `tick`), packets to send, push-pull exchanges to run and
 * events come out. The runtime drives it with real sockets and timers; the
 * simulator with virtual ones.
 *
 * This class is the public face; the protocol lives in one file per concern,
 * as functions over the shared state (state.ts): failure detection in
 * probe.ts, alive/suspect/dead claims and refutation in claims.ts,
 * dissemination and reaping in gossip.ts, push-pull, reconnects and
 * announcements in push-pull.ts.
 */
import { expireSuspicions, onAlive, onDead, onSuspect, refute } from './claims.js';
import { gossip, onLoad, reap, spreadLoad } from './gossip.js';
import { MsgType, type Dead, type PacketMessage, type PushPull } from './messages.js';
import { advanceProbe, expireRelays, onAck, onIndirectPing, onNack, onPing, startProbe } from './probe.js';
import { announceDue, exchangesDue, merge, onAnnounce } from './push-pull.js';
import { MembershipState, snapshotOf, type MembershipInit, type MembershipStats, type Output } from './state.js';
import type { Address, Member, MemberLoad, MemberMeta } from './types.js';

export type { MemberEvent, MemberEventType, MembershipInit, MembershipStats, Output } from './state.js';

export class Membership {
  readonly id: string;
  private readonly s: MembershipState;

  constructor(init: MembershipInit) {
    this.id = init.id;
    this.s = new MembershipState(init);
  }

  // ---- reading ------------------------------------------------------------

  /** Every member known, this one included, as immutable snapshots. */
  members(): Member[] {
    return [...this.s.records.values()].map(snapshotOf);
  }

  member(id: string): Member | undefined {
    const r = this.s.records.get(id);
    return r && snapshotOf(r);
  }

  get stats(): MembershipStats {
    return { ...this.s.counts };
  }

  /** Lifeguard's local health score: 0 is healthy. */
  get health(): number {
    return this.s.awareness.health;
  }

  /** Alive and suspect members, this one included: the N of the protocol's formulas. */
  get liveCount(): number {
    return this.s.liveCount;
  }

  /** The earliest time at which `tick` has something to do. */
  nextDeadline(): number {
    const s = this.s;
    if (s.leaving) return Number.POSITIVE_INFINITY;
    let t = Math.min(s.nextProbeAt, s.nextGossipAt, s.nextPushPullAt, s.nextReconnectAt, s.nextAnnounceAt);
    if (s.probe) t = Math.min(t, s.probe.indirectSent || s.probe.acked !== 'no' ? s.probe.endDeadline : s.probe.directDeadline);
    for (const r of s.relays.values()) t = Math.min(t, r.deadline);
    for (const suspicion of s.suspicions.values()) t = Math.min(t, suspicion.deadline, suspicion.nextAskAt);
    return t;
  }

  // ---- inputs ---------------------------------------------------------------

  /** Advances timers to `now`: probes, suspicion timeouts, gossip, push-pull, reconnects, reaping, announcements. */
  tick(now: number): Output {
    const s = this.s;
    if (s.leaving) return s.flush();
    expireRelays(s, now);
    expireSuspicions(s, now);
    if (s.probe) advanceProbe(s, now);
    if (!s.probe && now >= s.nextProbeAt) startProbe(s, now);
    if (now >= s.nextGossipAt) {
      gossip(s, now);
      reap(s, now);
      s.nextGossipAt = now + s.config.gossipIntervalMs;
    }
    exchangesDue(s, now);
    announceDue(s, now);
    return s.flush();
  }

  /** Handles the messages of one UDP packet from `from`. */
  receive(from: Address, messages: readonly PacketMessage[], now: number): Output {
    for (const m of messages) this.handle(from, m, now);
    return this.s.flush();
  }

  /** Handles a push-pull that arrived over TCP; returns the reply to send back. */
  receivePushPull(message: PushPull, now: number): { reply: PushPull; output: Output } {
    merge(this.s, message, now);
    return { reply: this.s.pushPull(false), output: this.s.flush() };
  }

  /** Handles the reply to a push-pull this member started. */
  receivePushPullReply(message: PushPull, now: number): Output {
    merge(this.s, message, now);
    return this.s.flush();
  }

  /** Starts a join: a push-pull with each address (seeds, `dinc-agent join`, a discovered agent). */
  join(addrs: readonly Address[]): Output {
    for (const to of addrs) this.s.out.exchanges.push({ to, message: this.s.pushPull(true) });
    return this.s.flush();
  }

  /** Leaves gracefully: marks itself `left`, tells a few members at once and lets gossip spread it. */
  leave(now: number): Output {
    const s = this.s;
    const self = s.self();
    self.state = 'left';
    self.stateChangedAt = now;
    const dead: Dead = { type: MsgType.Dead, id: s.id, incarnation: self.incarnation, from: s.id, left: true };
    s.broadcasts.add(s.id, dead);
    for (const r of s.randomMembers(Math.max(s.config.gossipNodes, 3), (m) => m.state === 'alive' || m.state === 'suspect')) {
      s.out.packets.push({ to: r.addr, messages: [dead] });
    }
    gossip(s, now);
    s.leaving = true;
    return s.flush();
  }

  /** Changes what this member advertises (roles, services, tags, version); bumps its incarnation. */
  updateMeta(meta: MemberMeta, now: number): Output {
    const self = this.s.self();
    self.meta = meta;
    refute(this.s, self, self.incarnation, now);
    return this.s.flush();
  }

  /** Spreads this member's current load without touching its incarnation; `now` must be a wall clock (ms) for restarts to be told apart. */
  updateLoad(load: MemberLoad, now: number): Output {
    spreadLoad(this.s, load, now);
    return this.s.flush();
  }

  // ---- message handling ------------------------------------------------------

  private handle(from: Address, m: PacketMessage, now: number): void {
    const s = this.s;
    if (m.type === MsgType.Ping || m.type === MsgType.IndirectPing || m.type === MsgType.Ack || m.type === MsgType.Nack) s.heard(m.from, now);
    switch (m.type) {
      case MsgType.Ping:
        return onPing(s, from, m);
      case MsgType.IndirectPing:
        return onIndirectPing(s, m, now);
      case MsgType.Ack:
        return onAck(s, m.seq, now);
      case MsgType.Nack:
        return onNack(s, m.seq);
      case MsgType.Alive:
        return onAlive(s, m, now);
      case MsgType.Suspect:
        return onSuspect(s, m, now, from);
      case MsgType.Dead:
        return onDead(s, m, now, from);
      case MsgType.Load:
        return onLoad(s, m, now);
      case MsgType.Announce:
        return onAnnounce(s, m, now);
    }
  }
}
