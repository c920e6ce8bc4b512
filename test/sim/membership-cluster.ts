/**
 * A whole cluster of the pure membership core on a virtual clock and a
 * simulated network. Each node is a real `Membership`; the simulator only
 * does what the runtime will do: call `tick` at `nextDeadline()`, carry
 * packets, push-pull exchanges and multicast announcements, and retry the
 * seeds while a node knows nobody. Faults: crash, restart (state lost),
 * pause (a blocked event loop), graceful leave, and everything the network
 * can do. The same seed gives the same run, event for event.
 */
import { PROFILES, type MembershipConfig, type ProfileName } from '../../src/core/membership/config.js';
import { Membership, type MemberEventType, type Output } from '../../src/core/membership/membership.js';
import type { PacketMessage } from '../../src/core/membership/messages.js';
import { formatAddress, type Address, type MemberMeta, type MemberState } from '../../src/core/membership/types.js';
import { seededRng, type Rng } from '../../src/core/rng.js';
import { SimClock } from './clock.js';
import { SimNetwork, type LinkConditions } from './network.js';
import { WireFormat, type Wire } from './membership-wire.js';

export interface MembershipSimOptions {
  readonly seed: number;
  /** Number of nodes, named node001, node002, ... */
  readonly nodes: number;
  /** Timing profile; default lan. */
  readonly profile?: ProfileName;
  /** Overrides of the profile. */
  readonly config?: Partial<MembershipConfig>;
  /** Default link conditions; default a loss-free LAN. */
  readonly network?: Partial<LinkConditions>;
  /** Encode and decode every packet and push-pull with the real codec; default on up to 100 nodes. */
  readonly codec?: boolean;
  /** Deliver multicast announcements (discovery); default on. */
  readonly multicast?: boolean;
  /** How many of the first nodes are seeds that the others join; default 3. */
  readonly seeds?: number;
  /** Nodes start at random times within this window; default 1000 ms (node001 starts at 0). */
  readonly startSpreadMs?: number;
  /** Keep every event in `events`; default on (listeners get them either way). */
  readonly recordEvents?: boolean;
  /** The last `held` nodes do not start until `launch(id)`; default 0. */
  readonly held?: number;
  /** Count bytes on the network (costs an encoding when the codec is off); default on with the codec. */
  readonly countBytes?: boolean;
  /** After a pause, run due timers before the queued input (as Node's event loop does) or after; default timers first. */
  readonly resumeOrder?: 'timers-first' | 'input-first';
}

export type NodeStatus = 'pending' | 'running' | 'paused' | 'crashed' | 'left';

/** One membership event seen by `observer` about `subject`. */
export interface SimEvent {
  readonly time: number;
  readonly observer: string;
  readonly type: MemberEventType;
  readonly subject: string;
  readonly incarnation: number;
}

/** A packet as a node handed it to the network (before encoding). */
export interface SimPacket {
  readonly time: number;
  readonly from: string;
  readonly to: string;
  readonly messages: readonly PacketMessage[];
}

interface SimNode {
  readonly id: string;
  readonly index: number;
  readonly addr: Address;
  m: Membership;
  status: NodeStatus;
  /** Incremented at each restart. */
  life: number;
  /** Input queued while paused. */
  inbox: (() => void)[];
  armedAt: number | undefined;
  token: number;
}

const META: MemberMeta = { roles: [], services: {}, tags: {}, version: 'sim' };
const JOIN_RETRY_MS = 1000;

export class MembershipSim {
  readonly seed: number;
  readonly config: MembershipConfig;
  readonly clock = new SimClock();
  readonly network: SimNetwork<Wire>;
  readonly wire: WireFormat;
  readonly events: SimEvent[] = [];
  /** Times a node asked to be ticked again at or before the time it was just ticked (the core would spin). */
  stalls = 0;
  /** Packets sent to an address no node has. */
  unknownDestinations = 0;
  private readonly nodes = new Map<string, SimNode>();
  private readonly byAddress = new Map<string, string>();
  private readonly seedAddrs: Address[];
  /** Nodes 1..started start on their own; the rest are held. */
  private readonly started: number;
  private readonly multicast: boolean;
  private readonly recordEvents: boolean;
  private readonly resumeOrder: 'timers-first' | 'input-first';
  private readonly eventListeners: ((e: SimEvent) => void)[] = [];
  private readonly packetListeners: ((p: SimPacket) => void)[] = [];
  private readonly filters: ((p: SimPacket, m: PacketMessage) => boolean)[] = [];

  constructor(options: MembershipSimOptions) {
    this.seed = options.seed;
    this.config = { ...PROFILES[options.profile ?? 'lan'], ...options.config };
    const codec = options.codec ?? options.nodes <= 100;
    this.wire = new WireFormat(codec, this.config.maxPacketBytes);
    const countBytes = options.countBytes ?? codec;
    this.network = new SimNetwork<Wire>(this.clock, seededRng(options.seed), {
      ...(options.network ? { conditions: options.network } : {}),
      ...(countBytes ? { sizeOf: (w: Wire) => this.wire.sizeOf(w) } : {}),
    });
    this.multicast = options.multicast ?? true;
    this.recordEvents = options.recordEvents ?? true;
    this.resumeOrder = options.resumeOrder ?? 'timers-first';
    this.started = options.nodes - (options.held ?? 0);
    const startRng = seededRng(options.seed ^ 0x5bd1e995);
    const spread = options.startSpreadMs ?? 1000;
    for (let i = 1; i <= options.nodes; i++) {
      const id = `node${String(i).padStart(3, '0')}`;
      const addr: Address = { host: `10.0.${i >> 8}.${i & 255}`, port: 7946 };
      this.byAddress.set(formatAddress(addr), id);
      const node: SimNode = { id, index: i, addr, m: this.create(id, i, 0, addr, 0), status: 'pending', life: 0, inbox: [], armedAt: undefined, token: 0 };
      this.nodes.set(id, node);
      const startAt = i === 1 ? 0 : startRng.next() * spread;
      if (i <= this.started) this.clock.at(startAt, () => this.launch(id));
    }
    this.seedAddrs = [...this.nodes.values()].slice(0, options.seeds ?? 3).map((n) => n.addr);
  }

  // ---- views ------------------------------------------------------------------

  get now(): number {
    return this.clock.now;
  }

  /** All node ids, in order. */
  get ids(): string[] {
    return [...this.nodes.keys()];
  }

  /** Nodes that are up (running or paused). */
  liveIds(): string[] {
    return [...this.nodes.values()].filter((n) => n.status === 'running' || n.status === 'paused').map((n) => n.id);
  }

  status(id: string): NodeStatus {
    return this.node(id).status;
  }

  addressOf(id: string): Address {
    return this.node(id).addr;
  }

  /** The current (or last) membership instance of `id`. */
  membership(id: string): Membership {
    return this.node(id).m;
  }

  /** What `observer` believes about `subject`; undefined when it does not know it. */
  stateOf(observer: string, subject: string): MemberState | undefined {
    return this.node(observer).m.member(subject)?.state;
  }

  /** Ids `observer` sees alive or suspect, itself included (the input of the leader election). */
  aliveView(observer: string): string[] {
    return this.node(observer)
      .m.members()
      .filter((m) => m.state === 'alive' || m.state === 'suspect')
      .map((m) => m.id);
  }

  /** Every node has started (held ones aside), and every live node sees every other live node alive. */
  converged(): boolean {
    if ([...this.nodes.values()].some((n) => n.status === 'pending' && n.index <= this.started)) return false;
    const live = this.liveIds();
    return live.every((o) => live.every((s) => s === o || this.stateOf(o, s) === 'alive'));
  }

  // ---- listeners and fault injection ---------------------------------------------------

  onEvent(listener: (e: SimEvent) => void): void {
    this.eventListeners.push(listener);
  }

  /** Sees every packet a node hands to the network (after filters, before encoding). */
  onPacket(listener: (p: SimPacket) => void): void {
    this.packetListeners.push(listener);
  }

  /** Removes the messages for which `drop` is true from the packets nodes send; returns the undo. */
  dropIf(drop: (p: SimPacket, m: PacketMessage) => boolean): () => void {
    this.filters.push(drop);
    return () => {
      const i = this.filters.indexOf(drop);
      if (i >= 0) this.filters.splice(i, 1);
    };
  }

  /** Delivers `messages` to `to` now, as if sent from `from` (through the codec when it is on). */
  inject(to: string, from: Address, messages: readonly PacketMessage[]): void {
    for (const w of this.wire.packets(messages)) this.deliver(this.node(to), from, w);
  }

  /** Delivers raw bytes to `to` now, as one datagram from `from`; the decoder decides. */
  injectBytes(to: string, from: Address, bytes: Uint8Array): void {
    this.deliver(this.node(to), from, { kind: 'packet', body: bytes });
  }

  // ---- faults ------------------------------------------------------------------------

  /** Starts a node that has not started yet (one held back, see `held`), now; it joins through the seeds. */
  launch(id: string): void {
    const n = this.node(id);
    if (n.status !== 'pending') return;
    n.m = this.create(n.id, n.index, n.life, n.addr, this.now);
    this.start(n);
  }

  /** Stops `id` at once: it processes nothing more and messages to it are lost. */
  crash(id: string): void {
    const n = this.node(id);
    n.status = 'crashed';
    n.inbox = [];
    n.armedAt = undefined;
    n.token++;
    this.network.detach(id);
  }

  /** Starts `id` again with no state (incarnation 0), same id and address; it rejoins through the seeds. */
  restart(id: string): void {
    const n = this.node(id);
    if (n.status === 'running' || n.status === 'paused') this.crash(id);
    n.life++;
    n.m = this.create(n.id, n.index, n.life, n.addr, this.now);
    this.start(n);
  }

  /** Blocks `id`'s event loop (for `ms`, or until `resume`): nothing runs; input queues up. */
  pause(id: string, ms?: number): void {
    const n = this.node(id);
    if (n.status !== 'running') return;
    n.status = 'paused';
    n.armedAt = undefined;
    n.token++;
    const life = n.life;
    if (ms !== undefined) {
      this.clock.after(ms, () => {
        if (n.life === life) this.resume(id);
      });
    }
  }

  /** Unblocks a paused node: its due timers run, then all the input that queued up, at once. */
  resume(id: string): void {
    const n = this.node(id);
    if (n.status !== 'paused') return;
    n.status = 'running';
    const inbox = n.inbox;
    n.inbox = [];
    if (this.resumeOrder === 'timers-first') this.fire(n);
    for (const run of inbox) if (n.status === 'running') run();
    if (this.resumeOrder === 'input-first') this.fire(n);
    this.arm(n);
  }

  /** Leaves gracefully, then stops the node (the agent exits). */
  leave(id: string): void {
    const n = this.node(id);
    if (n.status !== 'running') return;
    this.dispatch(n, n.m.leave(this.now));
    n.status = 'left';
    n.armedAt = undefined;
    n.token++;
    this.network.detach(id);
  }

  // ---- running ---------------------------------------------------------------------

  runUntil(time: number): void {
    this.clock.runUntil(time);
  }

  runFor(ms: number): void {
    this.clock.runUntil(this.now + ms);
  }

  /** Runs until `predicate` holds (checked every `pollMs`) or `maxMs` pass; returns the time it held, or undefined. */
  runUntilTrue(predicate: () => boolean, maxMs: number, pollMs = 50): number | undefined {
    const end = this.now + maxMs;
    for (;;) {
      if (predicate()) return this.now;
      if (this.now >= end) return undefined;
      this.clock.runUntil(Math.min(end, this.now + pollMs));
    }
  }

  // ---- driving the cores ---------------------------------------------------------------

  private node(id: string): SimNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no simulated node ${id}`);
    return n;
  }

  private create(id: string, index: number, life: number, addr: Address, now: number): Membership {
    const rng: Rng = seededRng((this.seed * 2654435761 + index * 40503 + life * 2246822519) >>> 0);
    return new Membership({ id, addr, meta: META, config: this.config, rng, now });
  }

  private start(n: SimNode): void {
    n.status = 'running';
    this.network.attach(n.id, (from, w) => this.deliver(n, this.node(from).addr, w));
    this.joinSeeds(n, n.life);
    this.arm(n);
  }

  /** Joins the seeds, and again every second while the node knows no other live member. */
  private joinSeeds(n: SimNode, life: number): void {
    if (n.life !== life || n.status === 'crashed' || n.status === 'left') return;
    if (n.status === 'running' && n.m.liveCount <= 1) {
      const seeds = this.seedAddrs.filter((a) => formatAddress(a) !== formatAddress(n.addr));
      if (seeds.length > 0) this.dispatch(n, n.m.join(seeds));
      this.arm(n);
    }
    if (n.m.liveCount <= 1 || n.status === 'paused') this.clock.after(JOIN_RETRY_MS, () => this.joinSeeds(n, life));
  }

  /** Hands one arriving message to the node, or queues it while the node is paused. */
  private deliver(n: SimNode, from: Address, w: Wire): void {
    if (n.status === 'paused') {
      n.inbox.push(() => this.deliver(n, from, w));
      return;
    }
    if (n.status !== 'running') return;
    const now = this.now;
    if (w.kind === 'packet') {
      const messages = this.wire.readPacket(w.body);
      if (messages !== undefined) this.dispatch(n, n.m.receive(from, messages, now));
    } else if (w.kind === 'push') {
      const message = this.wire.readPushPull(w.body);
      if (message === undefined) return;
      const { reply, output } = n.m.receivePushPull(message, now);
      this.dispatch(n, output);
      const requester = this.byAddress.get(formatAddress(from));
      if (requester !== undefined) this.network.sendReliable(n.id, requester, this.wire.pushPull('reply', w.life, reply));
    } else {
      const message = this.wire.readPushPull(w.body);
      if (message === undefined || w.life !== n.life) return;
      this.dispatch(n, n.m.receivePushPullReply(message, now));
    }
    this.arm(n);
  }

  /** Schedules the node's next tick at its next deadline. */
  private arm(n: SimNode): void {
    if (n.status !== 'running') return;
    const at = n.m.nextDeadline();
    if (at === n.armedAt) return;
    n.armedAt = at;
    const token = ++n.token;
    this.clock.at(at, () => {
      if (n.token === token) this.fire(n);
    });
  }

  private fire(n: SimNode): void {
    if (n.status !== 'running') return;
    const now = this.now;
    n.armedAt = undefined;
    this.dispatch(n, n.m.tick(now));
    if (n.status !== 'running') return;
    const next = n.m.nextDeadline();
    if (next <= now) {
      // The core asks for a tick it has just had: count it and step on, rather than spin.
      this.stalls++;
      n.armedAt = now + 1;
      const token = ++n.token;
      this.clock.at(now + 1, () => {
        if (n.token === token) this.fire(n);
      });
      return;
    }
    this.arm(n);
  }

  /** Carries out an Output: log events, send packets, start exchanges, multicast the announcement. */
  private dispatch(n: SimNode, out: Output): void {
    const now = this.now;
    for (const e of out.events) {
      const event: SimEvent = { time: now, observer: n.id, type: e.type, subject: e.member.id, incarnation: e.member.incarnation };
      if (this.recordEvents) this.events.push(event);
      for (const listen of this.eventListeners) listen(event);
    }
    for (const p of out.packets) {
      const to = this.byAddress.get(formatAddress(p.to));
      if (to === undefined) {
        this.unknownDestinations++;
        continue;
      }
      this.sendPacket(n, to, p.messages);
    }
    for (const x of out.exchanges) {
      const to = this.byAddress.get(formatAddress(x.to));
      if (to === undefined) this.unknownDestinations++;
      else this.network.sendReliable(n.id, to, this.wire.pushPull('push', n.life, x.message));
    }
    if (out.announce && this.multicast) {
      for (const other of this.nodes.keys()) if (other !== n.id) this.sendPacket(n, other, [out.announce]);
    }
  }

  private sendPacket(n: SimNode, to: string, messages: readonly PacketMessage[]): void {
    let packet: SimPacket = { time: this.now, from: n.id, to, messages };
    if (this.filters.length > 0) {
      const kept = messages.filter((m) => !this.filters.some((drop) => drop(packet, m)));
      if (kept.length === 0) return;
      packet = { ...packet, messages: kept };
    }
    for (const listen of this.packetListeners) listen(packet);
    for (const w of this.wire.packets(packet.messages)) this.network.send(n.id, to, w);
  }
}
