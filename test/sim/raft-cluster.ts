/**
 * A simulated Raft group: servers (each the real Raft driver on a memory
 * disk, see raft-process.ts) on the simulated network,
 * each ticked every `tickMs` of virtual time (with a little drift), and the
 * faults a nemesis needs: crash, restart from disk, pause, membership changes.
 * Every safety property is checked as the run goes (raft-invariants.ts); a
 * broken one throws SafetyViolation out of `runFor`. The same seed gives the
 * same run, event for event.
 */
import { DEFAULT_RAFT_CONFIG, bootstrapState, joinState, type ConfChange, type Entry, type Message, type NodeId, type RaftConfig } from '../../src/core/raft/types.js';
import { seededRng, type Rng } from '../../src/core/rng.js';
import { SimClock } from './clock.js';
import { SimNetwork, type LinkConditions } from './network.js';
import { SafetyChecker } from './raft-invariants.js';
import { SimServer, type LeaderEvent, type ServerEnv } from './raft-process.js';
import { Trace, type TraceMode } from './raft-trace.js';
import type { SimWire } from './raft-wire.js';

export interface RaftClusterOptions {
  readonly seed: number;
  /** Voters at the start, named n1, n2, ...; servers added later are named on from there. */
  readonly servers: number;
  /** Overrides of DEFAULT_RAFT_CONFIG. */
  readonly raft?: Partial<Omit<RaftConfig, 'id'>>;
  /** Virtual milliseconds per tick. Default 10. */
  readonly tickMs?: number;
  /** Applied entries between snapshots. Default 64. */
  readonly snapshotEvery?: number;
  /** One disk write takes uniformly [min, max] ms. Default 0 (at once). */
  readonly diskLatencyMs?: { readonly min: number; readonly max: number };
  /** A crash tears the save in flight (a random prefix of its records survives) instead of losing all of it. Default off. */
  readonly tornWrites?: boolean;
  /** Send every Raft message through the wire codec (encode, then decode on the way). Default off. */
  readonly wireCodec?: boolean;
  /** Default link conditions. Default: 0.5 ms + exponential jitter of mean 0.5 ms, no loss. */
  readonly network?: Partial<LinkConditions>;
  readonly trace?: TraceMode;
  /** Where a printed trace goes. Default console.log. */
  readonly print?: (line: string) => void;
}

/** Microtask turns given to promise callbacks after each action: enough for a save's completion to reach the driver and its answer the client. */
const SETTLE_TURNS = 4;

export type LeaderListener = (server: SimServer, event: LeaderEvent) => void;

/** Distinct streams of randomness per purpose, all from the seed. */
export function streamRng(seed: number, stream: number, sub = 0): Rng {
  return seededRng((Math.imul(seed, 2654435761) ^ Math.imul(stream + 1, 40503) ^ Math.imul(sub + 1, 2246822519)) >>> 0);
}

export class RaftCluster {
  readonly clock = new SimClock();
  readonly network: SimNetwork<SimWire>;
  readonly trace: Trace;
  readonly checker = new SafetyChecker();
  readonly tickMs: number;
  /** Raft messages handed to the network. */
  raftMessages = 0;
  private readonly servers = new Map<NodeId, SimServer>();
  private readonly env: ServerEnv;
  private readonly rng: Rng;
  private readonly appliedListeners: ((server: SimServer, entry: Entry) => void)[] = [];
  private readonly leaderListeners: LeaderListener[] = [];
  private readonly messageListeners: ((message: Message) => void)[] = [];
  private readonly removals = new Set<NodeId>();
  /** The first broken property or exception met inside a server; thrown out of `runFor` / `runUntil`. */
  private failure: { readonly error: unknown } | undefined;

  constructor(readonly options: RaftClusterOptions) {
    const seed = options.seed;
    this.tickMs = options.tickMs ?? 10;
    this.rng = streamRng(seed, 1);
    this.trace = new Trace(options.trace ?? 'off', () => this.clock.now, options.print);
    this.network = new SimNetwork<SimWire>(this.clock, streamRng(seed, 2), {
      conditions: { delay: { baseMs: 0.5, jitterMs: 0.5, jitter: 'exponential' }, ...options.network },
    });
    const diskRng = streamRng(seed, 3);
    const tornRng = streamRng(seed, 10);
    const disk = options.diskLatencyMs ?? { min: 0, max: 0 };
    const raft = { ...DEFAULT_RAFT_CONFIG, ...options.raft };
    this.env = {
      clock: this.clock,
      network: this.network,
      trace: this.trace,
      checker: this.checker,
      raft,
      snapshotEvery: options.snapshotEvery ?? 64,
      wireCodec: options.wireCodec ?? false,
      diskLatency: () => (disk.max <= 0 ? 0 : disk.min + diskRng.next() * (disk.max - disk.min)),
      tornRecords: options.tornWrites ? () => tornRng.int(8) : () => undefined,
      rngFor: (id, life) => streamRng(seed, 4, Number(id.slice(1)) * 1000 + life),
      onApplied: (server, entry) => this.applied(server, entry),
      onRaftMessage: (message) => {
        this.raftMessages++;
        for (const listen of this.messageListeners) listen(message);
      },
      onLeaderEvent: (server, event) => {
        for (const listen of this.leaderListeners) listen(server, event);
      },
      fault: (error) => {
        this.failure ??= { error };
      },
    };
  }

  /** Starts the first `servers` servers, a new group of them as voters. */
  start(): void {
    const voters = Array.from({ length: this.options.servers }, (_, i) => `n${i + 1}`);
    for (const id of voters) this.launch(new SimServer(id, bootstrapState(voters), this.env));
  }

  get now(): number {
    return this.clock.now;
  }

  /** Every server ever started, removed ones included, in order. */
  get all(): SimServer[] {
    return [...this.servers.values()];
  }

  server(id: NodeId): SimServer {
    const server = this.servers.get(id);
    if (server === undefined) throw new Error(`no simulated server ${id}`);
    return server;
  }

  /** Servers not removed (up or crashed): the ones clients may ask. */
  members(): NodeId[] {
    return this.all.filter((s) => s.status !== 'removed').map((s) => s.id);
  }

  /** Servers up (running or paused). */
  upIds(): NodeId[] {
    return this.all.filter((s) => s.up).map((s) => s.id);
  }

  /** The running server that believes it leads, in the highest term; undefined when none does. */
  leader(): SimServer | undefined {
    let best: SimServer | undefined;
    for (const s of this.servers.values()) {
      if (s.status !== 'running' || s.role !== 'leader') continue;
      if (best === undefined || s.raft.status().term > best.raft.status().term) best = s;
    }
    return best;
  }

  /** Calls `listen` whenever a server becomes leader, and whenever a leader advances its commit index (see ServerEnv). */
  onLeaderEvent(listen: LeaderListener): void {
    this.leaderListeners.push(listen);
  }

  /** Calls `listen` for every entry any server applies. */
  onApplied(listen: (server: SimServer, entry: Entry) => void): void {
    this.appliedListeners.push(listen);
  }

  /** Calls `listen` for every Raft message a server hands to the network. */
  onRaftMessage(listen: (message: Message) => void): void {
    this.messageListeners.push(listen);
  }

  // ---- faults ------------------------------------------------------------------------

  crash(id: NodeId): void {
    const s = this.server(id);
    if (!s.up) return;
    s.crash();
    this.trace.log('nemesis', () => `crash ${id}`);
  }

  /** Starts a crashed server again from its disk. */
  restart(id: NodeId): void {
    const s = this.server(id);
    if (s.status !== 'crashed') return;
    this.trace.log('nemesis', () => `restart ${id}`);
    s.restart(this.tickMs * this.drift(), this.rng.next() * this.tickMs);
  }

  pause(id: NodeId): void {
    const s = this.server(id);
    if (s.status !== 'running') return;
    s.pause();
    this.trace.log('nemesis', () => `pause ${id}`);
  }

  resume(id: NodeId): void {
    const s = this.server(id);
    if (s.status !== 'paused') return;
    this.trace.log('nemesis', () => `resume ${id}`);
    s.resume();
  }

  /** Starts a new, empty server (it joins once the leader adds it); returns its id. */
  addServer(): NodeId {
    const id = `n${this.servers.size + 1}`;
    this.trace.log('nemesis', () => `start empty server ${id}`);
    this.launch(new SimServer(id, joinState(), this.env));
    return id;
  }

  /** Proposes `change` through the current leader; the reason it was not proposed, or null. */
  proposeConfChange(change: ConfChange): string | null {
    const leader = this.leader();
    if (leader === undefined) return 'no leader';
    this.trace.log('nemesis', () => `propose ${change.type} ${change.node} at ${leader.id}`);
    leader.proposeConfChange(change);
    return null;
  }

  /** Asks the current leader to hand leadership to `to`; the reason it will not, or null. */
  transferLeadership(to: NodeId): string | null {
    const leader = this.leader();
    if (leader === undefined) return 'no leader';
    const refusal = leader.transferLeadership(to);
    this.trace.log('nemesis', () => `transfer leadership from ${leader.id} to ${to}: ${refusal ?? 'started'}`);
    return refusal;
  }

  // ---- running ---------------------------------------------------------------------------

  async runFor(ms: number): Promise<void> {
    await this.runTo(this.clock.now + ms);
  }

  /** Runs until `predicate` holds (checked every `pollMs`) or `maxMs` pass; returns whether it held. */
  async runUntil(predicate: () => boolean, maxMs: number, pollMs = 10): Promise<boolean> {
    const end = this.clock.now + maxMs;
    for (;;) {
      if (predicate()) return true;
      if (this.clock.now >= end) return false;
      await this.runTo(Math.min(end, this.clock.now + pollMs));
    }
  }

  /**
   * Runs every action due up to `until`, one at a time, letting the promise
   * callbacks each one sets off (the drivers' completed saves, their answers)
   * run before the next: no wall clock is involved, so the order is the same
   * in every run of a seed.
   */
  private async runTo(until: number): Promise<void> {
    while (this.clock.step(until)) {
      for (let i = 0; i < SETTLE_TURNS; i++) await Promise.resolve();
      if (this.failure) throw this.failure.error;
    }
    this.clock.runUntil(until);
  }

  private launch(server: SimServer): void {
    this.servers.set(server.id, server);
    server.start(this.tickMs * this.drift(), this.rng.next() * this.tickMs);
  }

  /** A server's clock runs up to 2% fast or slow. */
  private drift(): number {
    return 0.98 + this.rng.next() * 0.04;
  }

  /** A committed removal stops the removed server a little later, as an operator would. */
  private applied(server: SimServer, entry: Entry): void {
    for (const listen of this.appliedListeners) listen(server, entry);
    if (entry.kind !== 'config' || entry.change.type !== 'remove' || this.removals.has(entry.change.node)) return;
    const id = entry.change.node;
    this.removals.add(id);
    this.clock.after(this.rng.next() * 200, () => {
      const removed = this.server(id);
      if (removed.status === 'removed') return;
      removed.crash('removed');
      this.trace.log('nemesis', () => `stop removed server ${id}`);
    });
  }
}
