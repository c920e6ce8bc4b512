/**
 * One member's view of the cluster and the output it has not handed out
 * yet: every record, the running probe and suspicions, the timers, and the
 * helpers that every concern shares (sending with piggybacked updates,
 * choosing members at random, recording events). The concerns (probe.ts,
 * claims.ts, gossip.ts, push-pull.ts) are functions over this one state;
 * membership.ts is the public face that drives them.
 */
import type { Rng } from '../rng.js';
import { Awareness } from './awareness.js';
import { BroadcastQueue } from './broadcasts.js';
import { INCARNATION_CEILING, RiseWindows, boundIncarnation } from './incarnation.js';
import { PACKET_OVERHEAD, encodedSize } from './codec.js';
import type { MembershipConfig } from './config.js';
import { MsgType, type Announce, type MemberSnapshot, type PacketMessage, type PushPull } from './messages.js';
import type { Suspicion } from './suspicion.js';
import type { Address, Member, MemberLoad, MemberMeta, MemberState } from './types.js';

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

export interface MembershipInit {
  readonly id: string;
  readonly addr: Address;
  readonly meta: MemberMeta;
  readonly config: MembershipConfig;
  readonly rng: Rng;
  readonly now: number;
}

/** What this member believes of one member (itself included). */
export interface MemberRecord {
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

/** The probe this member is running (one at a time). */
export interface Probe {
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
export interface Relay {
  readonly to: Address;
  readonly seq: number;
  readonly nack: boolean;
  readonly deadline: number;
}

export class MembershipState {
  readonly id: string;
  readonly config: MembershipConfig;
  readonly rng: Rng;
  readonly records = new Map<string, MemberRecord>();
  /** Where each member's incarnation rises count from (incarnation.ts); forgotten when it is reaped. */
  readonly rises = new RiseWindows();
  readonly suspicions = new Map<string, Suspicion>();
  readonly broadcasts = new BroadcastQueue();
  readonly awareness: Awareness;
  readonly relays = new Map<number, Relay>();
  /** Last time a join was started towards a member heard in an announcement. */
  readonly announceJoins = new Map<string, number>();
  probeOrder: string[] = [];
  probeIndex = 0;
  probe: Probe | undefined;
  seq = 0;
  loadSeq = 0;
  nextProbeAt: number;
  nextGossipAt: number;
  nextPushPullAt: number;
  nextReconnectAt: number;
  nextAnnounceAt: number;
  announceIntervalMs: number;
  leaving = false;
  out: Output = emptyOutput();
  readonly counts: MembershipStats = { probes: 0, indirectProbes: 0, suspicions: 0, refutes: 0, claimsRefused: 0, claimsBounded: 0 };

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

  /** Alive and suspect members, this one included: the N of the protocol's formulas. */
  get liveCount(): number {
    let n = 0;
    for (const r of this.records.values()) if (r.state === 'alive' || r.state === 'suspect') n++;
    return n;
  }

  self(): MemberRecord {
    return this.records.get(this.id) as MemberRecord;
  }

  nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    return this.seq;
  }

  /** Notes that `id` was heard from directly at `now`. */
  heard(id: string, now: number): void {
    const r = this.records.get(id);
    if (r && id !== this.id) r.heardAt = now;
  }

  /**
   * The incarnation to believe of a claim about `id` (see incarnation.ts), or
   * undefined when it is refused; counts both. Claims about this member are
   * held only to the ceiling: it refutes them at heard + 1.
   */
  believe(id: string, claimed: number, now: number): number | undefined {
    const known = id === this.id ? INCARNATION_CEILING : this.records.get(id)?.incarnation;
    const b = boundIncarnation(claimed, known, known === undefined || id === this.id ? known : this.rises.base(id, known, now));
    if (b.refused) {
      this.counts.claimsRefused++;
      return undefined;
    }
    if (b.bounded) this.counts.claimsBounded++;
    return b.incarnation;
  }

  /** Up to `k` distinct other members matching `accept`, chosen at random. */
  randomMembers(k: number, accept: (r: MemberRecord) => boolean): MemberRecord[] {
    const candidates = [...this.records.values()].filter((r) => r.id !== this.id && accept(r));
    const picked: MemberRecord[] = [];
    while (picked.length < k && candidates.length > 0) {
      const i = this.rng.int(candidates.length);
      picked.push(candidates[i] as MemberRecord);
      candidates[i] = candidates[candidates.length - 1] as MemberRecord;
      candidates.pop();
    }
    return picked;
  }

  /** Sends `messages` to `to` with as many queued updates as fit beside them. */
  send(to: Address, ...messages: PacketMessage[]): void {
    const budget = this.config.maxPacketBytes - PACKET_OVERHEAD - messages.reduce((n, m) => n + encodedSize(m), 0);
    this.out.packets.push({ to, messages: [...messages, ...this.broadcasts.take(budget, this.retransmitLimit())] });
  }

  /** How many times each queued update is sent: retransmitMult * ceil(log10(N+1)). */
  retransmitLimit(): number {
    return this.config.retransmitMult * Math.ceil(Math.log10(this.liveCount + 1));
  }

  /** This member's whole view as a push-pull message. */
  pushPull(join: boolean): PushPull {
    const members: MemberSnapshot[] = [...this.records.values()].map((r) => ({ id: r.id, addr: r.addr, incarnation: r.incarnation, state: r.state, meta: r.meta }));
    return { type: MsgType.PushPull, from: this.id, join, members };
  }

  event(type: MemberEventType, r: MemberRecord): void {
    this.out.events.push({ type, member: snapshotOf(r) });
  }

  /** Hands out what the last call produced and starts a fresh output. */
  flush(): Output {
    const out = this.out;
    this.out = emptyOutput();
    return out;
  }
}

function emptyOutput(): Output {
  return { packets: [], exchanges: [], events: [] };
}

/** An immutable copy of a record, as the public API hands it out. */
export function snapshotOf(r: MemberRecord): Member {
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
