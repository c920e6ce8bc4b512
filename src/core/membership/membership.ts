/**
 * The SWIM + Lifeguard membership state machine. Pure: packets and time go
 * in (`receive`, `tick`), packets to send, push-pull exchanges to run and
 * events come out. The runtime drives it with real sockets and timers; the
 * simulator with virtual ones.
 */
import type { Rng } from '../rng.js';
import { Awareness } from './awareness.js';
import { BroadcastQueue } from './broadcasts.js';
import { INCARNATION_CEILING, MAX_LOAD_SEQ_AHEAD_S, RiseWindows, boundIncarnation } from './incarnation.js';
import { PACKET_OVERHEAD, encodedSize } from './codec.js';
import type { MembershipConfig } from './config.js';
import {
  MsgType,
  type Alive,
  type Announce,
  type Dead,
  type IndirectPing,
  type Load,
  type MemberSnapshot,
  type PacketMessage,
  type Ping,
  type PushPull,
  type Suspect,
} from './messages.js';
import { Suspicion, expectedConfirmations, suspicionBounds } from './suspicion.js';
import type { Address, Member, MemberLoad, MemberMeta, MemberState } from './types.js';

/** Largest Load seq the wire carries. */
const MAX_LOAD_SEQ = 0xffffffff;

export type MemberEventType = 'join' | 'update' | 'suspect' | 'alive' | 'dead' | 'left' | 'reap';

export interface MemberEvent {
  readonly type: MemberEventType;
  readonly member: Member;
}

/** What the runtime must do after a call. */
export interface Output {
  /** UDP packets: each entry's messages go to one address (the codec may split them). */
  readonly packets: { readonly to: Address; readonly messages: PacketMessage[] }[];
  /** Push-pull exchanges to run over TCP; hand the reply to `receivePushPull`. */
  readonly exchanges: { readonly to: Address; readonly message: PushPull }[];
  /** A discovery announcement to multicast, when one is due. */
  announce?: Announce;
  readonly events: MemberEvent[];
}

interface Record_ {
  id: string;
  addr: Address;
  incarnation: number;
  state: MemberState;
  meta: MemberMeta;
  stateChangedAt: number;
  /** Last time a message came straight from the member, or a probe of it was acked. */
  heardAt?: number;
  load?: MemberLoad & { seq: number; heardAt: number };
}

/** What this member did, counted since it started. */
export interface MembershipStats {
  /** Probes started. */
  probes: number;
  /** Indirect probe requests sent to helpers. */
  indirectProbes: number;
  /** Suspicions this member started or adopted. */
  suspicions: number;
  /** Times this member refuted a suspicion or death of itself. */
  refutes: number;
  /** Claims ignored for an implausible number: an incarnation above the ceiling, a Load seq far ahead of our clock. */
  claimsRefused: number;
  /** Claims believed only up to a bound: an incarnation rising too far at once (see incarnation.ts). */
  claimsBounded: number;
}

interface Probe {
  readonly seq: number;
  readonly target: string;
  readonly startedAt: number;
  readonly directDeadline: number;
  readonly endDeadline: number;
  acked: 'no' | 'direct' | 'indirect';
  indirectSent: boolean;
  nacksExpected: number;
  nacks: number;
}

/** A ping sent on behalf of another member's indirect probe. */
interface Relay {
  readonly to: Address;
  readonly seq: number;
  readonly nack: boolean;
  readonly deadline: number;
}

export interface MembershipInit {
  readonly id: string;
  readonly addr: Address;
  readonly meta: MemberMeta;
  readonly config: MembershipConfig;
  readonly rng: Rng;
  readonly now: number;
}

export class Membership {
  readonly id: string;
  private readonly config: MembershipConfig;
  private readonly rng: Rng;
  private readonly records = new Map<string, Record_>();
  private readonly suspicions = new Map<string, Suspicion>();
  private readonly broadcasts = new BroadcastQueue();
  private readonly awareness: Awareness;
  private readonly relays = new Map<number, Relay>();
  /** Last time a join was started towards a member heard in an announcement. */
  private readonly announceJoins = new Map<string, number>();
  private probeOrder: string[] = [];
  private probeIndex = 0;
  private probe: Probe | undefined;
  private seq = 0;
  /** Where each member's incarnation rises count from (incarnation.ts). */
  private readonly rises = new RiseWindows();
  private loadSeq = 0;
  private nextProbeAt: number;
  private nextGossipAt: number;
  private nextPushPullAt: number;
  private nextReconnectAt: number;
  private nextAnnounceAt: number;
  private announceIntervalMs: number;
  private leaving = false;
  private out: Output = emptyOutput();
  private readonly counts: MembershipStats = { probes: 0, indirectProbes: 0, suspicions: 0, refutes: 0, claimsRefused: 0, claimsBounded: 0 };

  constructor(init: MembershipInit) {
    this.id = init.id;
    this.config = init.config;
    this.rng = init.rng;
    this.awareness = new Awareness(init.config.awarenessMaxMultiplier);
    // A random start, so that an ack from an earlier life of this member cannot match a new probe.
    this.seq = this.rng.int(2 ** 31);
    this.records.set(init.id, { id: init.id, addr: init.addr, incarnation: 0, state: 'alive', meta: init.meta, stateChangedAt: init.now });
    // Spread the first rounds so that members started together do not probe in lockstep.
    const jitter = (ms: number): number => init.now + Math.floor(this.rng.next() * ms);
    this.nextProbeAt = jitter(init.config.probeIntervalMs);
    this.nextGossipAt = jitter(init.config.gossipIntervalMs);
    this.nextPushPullAt = jitter(init.config.pushPullIntervalMs) + init.config.pushPullIntervalMs;
    this.nextReconnectAt = jitter(init.config.reconnectIntervalMs) + init.config.reconnectIntervalMs;
    this.nextAnnounceAt = init.now;
    this.announceIntervalMs = init.config.announceIntervalMs;
  }

  // ---- reading ------------------------------------------------------------

  /** Every member known, this one included, as immutable snapshots. */
  members(): Member[] {
    return [...this.records.values()].map(snapshotOf);
  }

  member(id: string): Member | undefined {
    const r = this.records.get(id);
    return r && snapshotOf(r);
  }

  get stats(): MembershipStats {
    return { ...this.counts };
  }

  /** Lifeguard's local health score: 0 is healthy. */
  get health(): number {
    return this.awareness.health;
  }

  /** Alive and suspect members, this one included: the N of the protocol's formulas. */
  get liveCount(): number {
    let n = 0;
    for (const r of this.records.values()) if (r.state === 'alive' || r.state === 'suspect') n++;
    return n;
  }

  /** The earliest time at which `tick` has something to do. */
  nextDeadline(): number {
    if (this.leaving) return Number.POSITIVE_INFINITY;
    let t = Math.min(this.nextProbeAt, this.nextGossipAt, this.nextPushPullAt, this.nextReconnectAt, this.nextAnnounceAt);
    if (this.probe) t = Math.min(t, this.probe.indirectSent || this.probe.acked !== 'no' ? this.probe.endDeadline : this.probe.directDeadline);
    for (const r of this.relays.values()) t = Math.min(t, r.deadline);
    for (const s of this.suspicions.values()) t = Math.min(t, s.deadline, s.nextAskAt);
    return t;
  }

  // ---- inputs ---------------------------------------------------------------

  /** Advances timers to `now`: probes, suspicion timeouts, gossip, push-pull, reconnects, reaping, announcements. */
  tick(now: number): Output {
    if (this.leaving) return this.flush();
    this.expireRelays(now);
    this.expireSuspicions(now);
    if (this.probe) this.advanceProbe(now);
    if (!this.probe && now >= this.nextProbeAt) this.startProbe(now);
    if (now >= this.nextGossipAt) {
      this.gossip(now);
      this.reap(now);
      this.nextGossipAt = now + this.config.gossipIntervalMs;
    }
    if (now >= this.nextPushPullAt) {
      const peer = this.randomMembers(1, (r) => r.state === 'alive')[0];
      if (peer) this.out.exchanges.push({ to: peer.addr, message: this.pushPull(false) });
      this.nextPushPullAt = now + this.pushPullInterval();
    }
    if (now >= this.nextReconnectAt) {
      const dead = this.randomMembers(1, (r) => r.state === 'dead')[0];
      if (dead) this.out.exchanges.push({ to: dead.addr, message: this.pushPull(false) });
      this.nextReconnectAt = now + this.config.reconnectIntervalMs;
    }
    if (now >= this.nextAnnounceAt) {
      const self = this.self();
      this.out.announce = { type: MsgType.Announce, id: this.id, addr: self.addr };
      this.announceIntervalMs = this.liveCount > 1 ? Math.min(this.announceIntervalMs * 2, this.config.announceMaxIntervalMs) : this.config.announceIntervalMs;
      this.nextAnnounceAt = now + this.announceIntervalMs;
    }
    return this.flush();
  }

  /** Handles the messages of one UDP packet from `from`. */
  receive(from: Address, messages: readonly PacketMessage[], now: number): Output {
    for (const m of messages) this.handle(from, m, now);
    return this.flush();
  }

  /** Handles a push-pull that arrived over TCP; returns the reply to send back. */
  receivePushPull(message: PushPull, now: number): { reply: PushPull; output: Output } {
    this.merge(message, now);
    return { reply: this.pushPull(false), output: this.flush() };
  }

  /** Handles the reply to a push-pull this member started. */
  receivePushPullReply(message: PushPull, now: number): Output {
    this.merge(message, now);
    return this.flush();
  }

  /** Starts a join: a push-pull with each address (seeds, `dinc-agent join`, a discovered agent). */
  join(addrs: readonly Address[]): Output {
    for (const to of addrs) this.out.exchanges.push({ to, message: this.pushPull(true) });
    return this.flush();
  }

  /** Leaves gracefully: marks itself `left`, tells a few members at once and lets gossip spread it. */
  leave(now: number): Output {
    const self = this.self();
    self.state = 'left';
    self.stateChangedAt = now;
    const dead: Dead = { type: MsgType.Dead, id: this.id, incarnation: self.incarnation, from: this.id, left: true };
    this.broadcasts.add(this.id, dead);
    for (const r of this.randomMembers(Math.max(this.config.gossipNodes, 3), (m) => m.state === 'alive' || m.state === 'suspect')) {
      this.out.packets.push({ to: r.addr, messages: [dead] });
    }
    this.gossip(now);
    this.leaving = true;
    return this.flush();
  }

  /** Changes what this member advertises (roles, services, tags, version); bumps its incarnation. */
  updateMeta(meta: MemberMeta, now: number): Output {
    const self = this.self();
    self.meta = meta;
    this.refute(self, self.incarnation, now);
    return this.flush();
  }

  /** Spreads this member's current load without touching its incarnation; `now` must be a wall clock (ms) for restarts to be told apart. */
  updateLoad(load: MemberLoad, now: number): Output {
    const self = this.self();
    // Whole seconds of the clock, so a restarted member's updates still count as newer.
    this.loadSeq = Math.min(MAX_LOAD_SEQ, Math.max(this.loadSeq + 1, Math.floor(now / 1000)));
    self.load = { ...load, seq: this.loadSeq, heardAt: now };
    this.broadcasts.add(`load:${this.id}`, { type: MsgType.Load, id: this.id, seq: this.loadSeq, cpu: load.cpu, lagMs: load.lagMs });
    return this.flush();
  }

  // ---- message handling ------------------------------------------------------

  private handle(from: Address, m: PacketMessage, now: number): void {
    if (m.type === MsgType.Ping || m.type === MsgType.IndirectPing || m.type === MsgType.Ack || m.type === MsgType.Nack) this.heard(m.from, now);
    switch (m.type) {
      case MsgType.Ping:
        return this.onPing(from, m);
      case MsgType.IndirectPing:
        return this.onIndirectPing(m, now);
      case MsgType.Ack:
        return this.onAck(m.seq, now);
      case MsgType.Nack:
        if (this.probe?.seq === m.seq) this.probe.nacks++;
        return;
      case MsgType.Alive:
        return this.onAlive(m, now);
      case MsgType.Suspect:
        return this.onSuspect(m, now, from);
      case MsgType.Dead:
        return this.onDead(m, now, from);
      case MsgType.Load:
        return this.onLoad(m, now);
      case MsgType.Announce:
        return this.onAnnounce(m, now);
    }
  }

  private onPing(from: Address, m: Ping): void {
    if (m.target !== this.id || this.leaving) return;
    this.send(from, { type: MsgType.Ack, seq: m.seq, from: this.id });
  }

  private onIndirectPing(m: IndirectPing, now: number): void {
    if (this.leaving) return;
    const seq = this.nextSeq();
    // Nack at 80% of the timeout so that it reaches the prober before its round ends.
    this.relays.set(seq, { to: m.fromAddr, seq: m.seq, nack: m.nack, deadline: now + Math.floor(this.awareness.scale(this.config.probeTimeoutMs) * 0.8) });
    this.send(m.targetAddr, { type: MsgType.Ping, seq, target: m.target, from: this.id, fromAddr: this.self().addr });
  }

  private onAck(seq: number, now: number): void {
    const relay = this.relays.get(seq);
    if (relay) {
      this.relays.delete(seq);
      this.send(relay.to, { type: MsgType.Ack, seq: relay.seq, from: this.id });
      return;
    }
    const probe = this.probe;
    if (probe?.seq === seq && probe.acked === 'no') {
      probe.acked = probe.indirectSent ? 'indirect' : 'direct';
      this.heard(probe.target, now);
    }
  }

  private heard(id: string, now: number): void {
    const r = this.records.get(id);
    if (r && id !== this.id) r.heardAt = now;
  }

  private onAlive(claim: Alive, now: number): void {
    const incarnation = this.believe(claim.id, claim.incarnation, now);
    if (incarnation === undefined) return;
    const m = incarnation === claim.incarnation ? claim : { ...claim, incarnation };
    if (m.id === this.id) {
      const self = this.self();
      // A stale or foreign claim about us (an earlier life, a replay): outbid it.
      if (!this.leaving && m.incarnation >= self.incarnation && (m.incarnation > self.incarnation || !sameClaim(m, self))) {
        this.refute(self, m.incarnation, now);
      }
      return;
    }
    const r = this.records.get(m.id);
    if (r === undefined) {
      const added: Record_ = { id: m.id, addr: m.addr, incarnation: m.incarnation, state: 'alive', meta: m.meta, stateChangedAt: now };
      this.records.set(m.id, added);
      this.probeOrder.splice(this.rng.int(this.probeOrder.length + 1), 0, m.id);
      this.broadcasts.add(m.id, m);
      this.event('join', added);
      return;
    }
    if (m.incarnation <= r.incarnation) return;
    const wasLive = r.state === 'alive';
    const changed = !sameClaim(m, r);
    r.incarnation = m.incarnation;
    r.addr = m.addr;
    r.meta = m.meta;
    this.suspicions.delete(m.id);
    this.broadcasts.add(m.id, m);
    if (!wasLive) {
      const wasGone = r.state === 'dead' || r.state === 'left';
      r.state = 'alive';
      r.stateChangedAt = now;
      this.event('alive', r);
      // A member back from the dead may have restarted with nothing: give it our whole view now.
      if (wasGone && !this.leaving) this.out.exchanges.push({ to: r.addr, message: this.pushPull(false) });
    } else if (changed) {
      this.event('update', r);
    }
  }

  /** `via`: the address the message came from, when it came in a packet. */
  private onSuspect(claim: Suspect, now: number, via?: Address): void {
    const incarnation = this.believe(claim.id, claim.incarnation, now);
    const m = incarnation === claim.incarnation ? claim : { ...claim, incarnation: incarnation ?? -1 };
    if (m.id === this.id) {
      if (this.leaving) return;
      const self = this.self();
      if (incarnation !== undefined && m.incarnation >= self.incarnation) {
        this.awareness.apply(1);
        this.counts.refutes++;
        this.refute(self, m.incarnation, now);
      }
      this.answerRumour(via);
      return;
    }
    const r = this.records.get(m.id);
    if (incarnation === undefined || r === undefined || m.incarnation < r.incarnation || r.state === 'dead' || r.state === 'left') return;
    const running = this.suspicions.get(m.id);
    if (r.state === 'suspect' && running && running.incarnation === m.incarnation) {
      if (!running.confirm(m.from)) return;
      this.broadcasts.add(m.id, m);
      // The timeout just shortened: ask the suspect itself, which answers with its refutation if it lives.
      if (m.from !== this.id) this.send(r.addr, { type: MsgType.Suspect, id: r.id, incarnation: m.incarnation, from: this.id });
      return;
    }
    this.suspect(r, m.incarnation, m.from, now);
    // Heard it second-hand: ask the suspect itself, which answers with its refutation if it lives.
    if (m.from !== this.id) this.send(r.addr, { type: MsgType.Suspect, id: r.id, incarnation: m.incarnation, from: this.id });
  }

  private onDead(claim: Dead, now: number, via?: Address): void {
    const incarnation = this.believe(claim.id, claim.incarnation, now);
    const m = incarnation === claim.incarnation ? claim : { ...claim, incarnation: incarnation ?? -1 };
    if (m.id === this.id) {
      if (this.leaving) return;
      const self = this.self();
      if (incarnation !== undefined && m.incarnation >= self.incarnation) {
        this.counts.refutes++;
        this.refute(self, m.incarnation, now);
      }
      this.answerRumour(via);
      return;
    }
    const r = this.records.get(m.id);
    if (incarnation === undefined || r === undefined || m.incarnation < r.incarnation || r.state === 'left' || (r.state === 'dead' && !m.left)) return;
    this.declare(r, m.left ? 'left' : 'dead', m.incarnation, now);
    this.broadcasts.add(m.id, m);
  }

  private onLoad(m: Load, now: number): void {
    if (m.id === this.id) return;
    const r = this.records.get(m.id);
    if (r === undefined || (r.load && m.seq <= r.load.seq)) return;
    // Whole seconds of the sender's clock: one far ahead of ours (a forgery) would hide every later update.
    if (m.seq > Math.floor(now / 1000) + MAX_LOAD_SEQ_AHEAD_S) {
      this.counts.claimsRefused++;
      return;
    }
    r.load = { cpu: m.cpu, lagMs: m.lagMs, seq: m.seq, heardAt: now };
    this.broadcasts.add(`load:${m.id}`, m);
  }

  private onAnnounce(m: Announce, now: number): void {
    if (m.id === this.id || this.leaving) return;
    const r = this.records.get(m.id);
    if (r && (r.state === 'alive' || r.state === 'suspect')) return;
    const last = this.announceJoins.get(m.id);
    if (last !== undefined && now - last < this.config.announceIntervalMs * 5) return;
    this.announceJoins.set(m.id, now);
    this.out.exchanges.push({ to: m.addr, message: this.pushPull(true) });
  }

  // ---- state changes --------------------------------------------------------------

  private suspect(r: Record_, incarnation: number, from: string, now: number): void {
    const n = this.liveCount;
    const { minMs, maxMs } = suspicionBounds(this.config, n);
    this.counts.suspicions++;
    this.suspicions.set(r.id, new Suspicion(incarnation, now, minMs, maxMs, expectedConfirmations(this.config, n), from));
    r.incarnation = incarnation;
    r.state = 'suspect';
    r.stateChangedAt = now;
    this.broadcasts.add(r.id, { type: MsgType.Suspect, id: r.id, incarnation, from });
    this.event('suspect', r);
  }

  private declare(r: Record_, state: 'dead' | 'left', incarnation: number, now: number): void {
    this.suspicions.delete(r.id);
    r.incarnation = incarnation;
    r.state = state;
    r.stateChangedAt = now;
    this.event(state, r);
  }

  /**
   * Tells the member that just passed on a rumour of our failure, directly,
   * that we are alive. Gossip alone can miss the very members that still
   * suspect us (one did, 9 s long, at 10% loss in the simulator); each stale
   * rumour reaching us now brings the refutation straight back to its sender.
   */
  private answerRumour(via: Address | undefined): void {
    if (via === undefined) return;
    const self = this.self();
    this.send(via, { type: MsgType.Alive, id: this.id, incarnation: self.incarnation, addr: self.addr, meta: self.meta });
  }

  /** Raises our incarnation above `over` and tells everyone we are alive. */
  private refute(self: Record_, over: number, now: number): void {
    // Never above the ceiling that every member believes; at it (only many forgeries get there) we can no longer outbid.
    self.incarnation = Math.min(over + 1, INCARNATION_CEILING);
    self.stateChangedAt = now;
    this.broadcasts.add(this.id, { type: MsgType.Alive, id: this.id, incarnation: self.incarnation, addr: self.addr, meta: self.meta });
  }

  /** Merges a remote member list; a remote "dead" only makes us suspect (we may know better). */
  private merge(message: PushPull, now: number): void {
    this.heard(message.from, now);
    for (const s of message.members) {
      if (s.state === 'alive') this.onAlive({ type: MsgType.Alive, id: s.id, incarnation: s.incarnation, addr: s.addr, meta: s.meta }, now);
      else if (s.state === 'left') this.onDead({ type: MsgType.Dead, id: s.id, incarnation: s.incarnation, from: message.from, left: true }, now);
      else if (s.id === this.id) this.onSuspect({ type: MsgType.Suspect, id: s.id, incarnation: s.incarnation, from: message.from }, now);
      else {
        // Learn of members we never heard of, then treat the claim as a suspicion.
        if (!this.records.has(s.id)) this.onAlive({ type: MsgType.Alive, id: s.id, incarnation: s.incarnation, addr: s.addr, meta: s.meta }, now);
        this.onSuspect({ type: MsgType.Suspect, id: s.id, incarnation: s.incarnation, from: message.from }, now);
      }
    }
  }

  // ---- probing ----------------------------------------------------------------------

  private startProbe(now: number): void {
    const target = this.nextProbeTarget();
    const interval = this.awareness.scale(this.config.probeIntervalMs);
    this.nextProbeAt = now + interval;
    if (target === undefined) return;
    this.counts.probes++;
    const seq = this.nextSeq();
    this.probe = {
      seq,
      target: target.id,
      startedAt: now,
      directDeadline: now + this.awareness.scale(this.config.probeTimeoutMs),
      endDeadline: now + interval,
      acked: 'no',
      indirectSent: false,
      nacksExpected: 0,
      nacks: 0,
    };
    const ping: Ping = { type: MsgType.Ping, seq, target: target.id, from: this.id, fromAddr: this.self().addr };
    // Lifeguard's buddy system: tell a suspect directly, so it can refute at once.
    if (target.state === 'suspect') this.send(target.addr, ping, { type: MsgType.Suspect, id: target.id, incarnation: target.incarnation, from: this.id });
    else this.send(target.addr, ping);
  }

  private advanceProbe(now: number): void {
    const probe = this.probe as Probe;
    const target = this.records.get(probe.target);
    if (probe.acked === 'no' && !probe.indirectSent && now >= probe.directDeadline && target) {
      probe.indirectSent = true;
      const helpers = this.randomMembers(this.config.indirectChecks, (r) => r.state === 'alive' && r.id !== probe.target);
      probe.nacksExpected = helpers.length;
      this.counts.indirectProbes += helpers.length;
      for (const h of helpers) {
        this.send(h.addr, { type: MsgType.IndirectPing, seq: probe.seq, target: probe.target, targetAddr: target.addr, from: this.id, fromAddr: this.self().addr, nack: true });
      }
    }
    if (probe.acked === 'no' && now < probe.endDeadline) return;
    this.probe = undefined;
    if (probe.acked === 'direct') this.awareness.apply(-1);
    if (probe.acked !== 'no' || target === undefined || (target.state !== 'alive' && target.state !== 'suspect')) return;
    // No ack at all: doubt ourselves in proportion to the nacks that did not come, then suspect (or confirm).
    this.awareness.apply(probe.nacksExpected > 0 ? probe.nacksExpected - probe.nacks : 1);
    this.onSuspect({ type: MsgType.Suspect, id: target.id, incarnation: target.incarnation, from: this.id }, now);
  }

  private nextProbeTarget(): Record_ | undefined {
    for (let tries = 0; tries <= this.probeOrder.length; tries++) {
      if (this.probeIndex >= this.probeOrder.length) {
        this.probeOrder = this.rng.shuffle([...this.records.keys()].filter((id) => id !== this.id));
        this.probeIndex = 0;
        if (this.probeOrder.length === 0) return undefined;
      }
      const r = this.records.get(this.probeOrder[this.probeIndex++] as string);
      if (r && (r.state === 'alive' || r.state === 'suspect')) return r;
    }
    return undefined;
  }

  private expireRelays(now: number): void {
    for (const [seq, relay] of this.relays) {
      if (now < relay.deadline) continue;
      this.relays.delete(seq);
      if (relay.nack) this.send(relay.to, { type: MsgType.Nack, seq: relay.seq, from: this.id });
    }
  }

  /** Declares dead the suspects whose time ran out; asks the others directly now and then. */
  private expireSuspicions(now: number): void {
    for (const [id, s] of this.suspicions) {
      const r = this.records.get(id);
      if (now < s.deadline) {
        if (now < s.nextAskAt || r === undefined) continue;
        // The refutation may have spread and missed us: ask the suspect itself, which answers us directly.
        this.send(r.addr, { type: MsgType.Suspect, id, incarnation: s.incarnation, from: this.id });
        s.askedAt(now, this.config.probeIntervalMs);
        continue;
      }
      this.suspicions.delete(id);
      if (r?.state !== 'suspect' || r.incarnation !== s.incarnation) continue;
      this.declare(r, 'dead', r.incarnation, now);
      this.broadcasts.add(id, { type: MsgType.Dead, id, incarnation: r.incarnation, from: this.id, left: false });
    }
  }

  // ---- dissemination ------------------------------------------------------------------

  private gossip(now: number): void {
    const targets = this.randomMembers(
      this.config.gossipNodes,
      (r) => r.state === 'alive' || r.state === 'suspect' || (r.state === 'dead' && now - r.stateChangedAt < this.config.gossipToTheDeadMs),
    );
    for (const t of targets) {
      const messages = this.broadcasts.take(this.config.maxPacketBytes - PACKET_OVERHEAD, this.retransmitLimit());
      if (messages.length === 0) return;
      this.out.packets.push({ to: t.addr, messages });
    }
  }

  private reap(now: number): void {
    for (const [id, r] of this.records) {
      if ((r.state === 'dead' || r.state === 'left') && now - r.stateChangedAt >= this.config.reapMs && id !== this.id) {
        this.records.delete(id);
        this.rises.forget(id);
        this.event('reap', r);
      }
    }
  }

  /** Sends `messages` to `to` with as many queued updates as fit beside them. */
  private send(to: Address, ...messages: PacketMessage[]): void {
    const budget = this.config.maxPacketBytes - PACKET_OVERHEAD - messages.reduce((n, m) => n + encodedSize(m), 0);
    this.out.packets.push({ to, messages: [...messages, ...this.broadcasts.take(budget, this.retransmitLimit())] });
  }

  private retransmitLimit(): number {
    return this.config.retransmitMult * Math.ceil(Math.log10(this.liveCount + 1));
  }

  private pushPullInterval(): number {
    const n = this.liveCount;
    const scale = n <= 32 ? 1 : Math.ceil(Math.log2(n) - Math.log2(32)) + 1;
    return this.config.pushPullIntervalMs * scale;
  }

  private pushPull(join: boolean): PushPull {
    const members: MemberSnapshot[] = [...this.records.values()].map((r) => ({ id: r.id, addr: r.addr, incarnation: r.incarnation, state: r.state, meta: r.meta }));
    return { type: MsgType.PushPull, from: this.id, join, members };
  }

  // ---- helpers ----------------------------------------------------------------------

  /**
   * The incarnation to believe of a claim about `id` (see incarnation.ts), or
   * undefined when it is refused; counts both. Claims about this member are
   * held only to the ceiling: it refutes them at heard + 1.
   */
  private believe(id: string, claimed: number, now: number): number | undefined {
    const known = id === this.id ? INCARNATION_CEILING : this.records.get(id)?.incarnation;
    const b = boundIncarnation(claimed, known, known === undefined || id === this.id ? known : this.rises.base(id, known, now));
    if (b.refused) {
      this.counts.claimsRefused++;
      return undefined;
    }
    if (b.bounded) this.counts.claimsBounded++;
    return b.incarnation;
  }

  private self(): Record_ {
    return this.records.get(this.id) as Record_;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    return this.seq;
  }

  /** Up to `k` distinct other members matching `accept`, chosen at random. */
  private randomMembers(k: number, accept: (r: Record_) => boolean): Record_[] {
    const candidates = [...this.records.values()].filter((r) => r.id !== this.id && accept(r));
    const picked: Record_[] = [];
    while (picked.length < k && candidates.length > 0) {
      const i = this.rng.int(candidates.length);
      picked.push(candidates[i] as Record_);
      candidates[i] = candidates[candidates.length - 1] as Record_;
      candidates.pop();
    }
    return picked;
  }

  private event(type: MemberEventType, r: Record_): void {
    this.out.events.push({ type, member: snapshotOf(r) });
  }

  private flush(): Output {
    const out = this.out;
    this.out = emptyOutput();
    return out;
  }
}

function emptyOutput(): Output {
  return { packets: [], exchanges: [], events: [] };
}

function snapshotOf(r: Record_): Member {
  return {
    id: r.id,
    addr: r.addr,
    incarnation: r.incarnation,
    state: r.state,
    meta: r.meta,
    stateChangedAt: r.stateChangedAt,
    ...(r.heardAt !== undefined ? { heardAt: r.heardAt } : {}),
    ...(r.load ? { load: { ...r.load } } : {}),
  };
}

/** Whether an alive claim says what the record says (address and metadata). */
function sameClaim(m: Alive, r: Record_): boolean {
  return m.addr.host === r.addr.host && m.addr.port === r.addr.port && JSON.stringify(m.meta) === JSON.stringify(r.meta);
}
