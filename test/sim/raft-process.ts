/**
 * One simulated server process: the real Raft driver (RaftHost, as a member
 * runs it) on a MemoryStorage disk, on timers of the virtual clock and a
 * transport over the simulated network; the simulated clients' requests go
 * to the driver's write and read. A crash loses everything not yet durable
 * (the save in flight, or all but a prefix of its records when torn) and every timer; a restart builds a new
 * driver from the disk; a pause (a long GC, a stopped VM) queues input and
 * timers and misses ticks until resumed. What the core hands the driver is
 * checked as it goes (raft-invariants.ts) through the driver's observer.
 */
import type { ConfChange, Entry, HardState, Message, NodeId, PersistedState, RaftConfig, Ready, Role, Snapshot } from '../../src/core/raft/types.js';
import type { Rng } from '../../src/core/rng.js';
import { encodeKvCommand } from '../../src/core/state/kv-codec.js';
import { Logger } from '../../src/ops/log.js';
import { RaftHost } from '../../src/runtime/raft/host.js';
import { MemoryStorage } from '../../src/runtime/raft/memory-storage.js';
import type { Outcome } from '../../src/runtime/raft/outcome.js';
import type { RaftStorage, StorageWrite } from '../../src/runtime/raft/raft-storage.js';
import type { Timers } from '../../src/runtime/raft/timers.js';
import type { SimClock } from './clock.js';
import type { SimNetwork } from './network.js';
import { LogContractError, StoredLog } from './raft-log.js';
import { SafetyViolation, type SafetyChecker } from './raft-invariants.js';
import { describeMessage } from './raft-describe.js';
import type { Trace } from './raft-trace.js';
import { freezeMessage, throughCodec, type ClientReply, type ClientRequest, type SimWire } from './raft-wire.js';

export type ServerStatus = 'running' | 'paused' | 'crashed' | 'removed';

export type LeaderEvent = 'elected' | 'committed';

/** What every server of a simulated cluster shares. */
export interface ServerEnv {
  readonly clock: SimClock;
  readonly network: SimNetwork<SimWire>;
  readonly trace: Trace;
  readonly checker: SafetyChecker;
  readonly raft: Omit<RaftConfig, 'id'>;
  /** Applied entries between two snapshots of the machine (the driver's snapshot threshold). */
  readonly snapshotEvery: number;
  /** Whether Raft messages go through the wire codec. */
  readonly wireCodec: boolean;
  /** Simulated milliseconds of one disk write (0: done at once). */
  diskLatency(): number;
  /** At a crash, how many records of the save in flight survive (a torn write), or undefined: none. */
  tornRecords(): number | undefined;
  /** The Rng of the core of `id`'s life number `life`. */
  rngFor(id: NodeId, life: number): Rng;
  /** Told of every entry a server applies. */
  onApplied(server: SimServer, entry: Entry): void;
  /** Told of every Raft message a server sends. */
  onRaftMessage(message: Message): void;
  /**
   * Told, while a server takes a Ready (before it persists or sends anything),
   * that it became leader or, as leader, advanced its commit index. A
   * listener may cut the server's links at once; anything else must wait.
   */
  onLeaderEvent(server: SimServer, event: LeaderEvent): void;
  /** Told of a broken property or an exception met where it cannot be thrown (inside the driver's promise callbacks); the cluster throws it. */
  fault(error: unknown): void;
}

/** Longest a request waits in the driver before it is answered `unknown` (the client then retries). */
const REQUEST_TIMEOUT_MS = 2000;

const SILENT = Logger.create({ write: () => {} }, { level: 'error', format: 'json', color: false });

export class SimServer {
  status: ServerStatus = 'running';
  /** Incremented at each restart. */
  life = 0;
  /** The driver of the current life. */
  raft: RaftHost;
  /** What survives a crash. */
  disk: MemoryStorage;
  /** The log as the core has handed it out (durable or not). */
  log: StoredLog;
  role: Role = 'follower';
  leader: NodeId | null = null;
  /** The core's term and commit index as of its last Ready. */
  private term = 0;
  private commit = 0;
  /** The hard state on disk. */
  private durable: HardState;
  /** Input and timers that came due while paused. */
  private inbox: (() => void)[] = [];

  constructor(
    readonly id: NodeId,
    initial: PersistedState,
    private readonly env: ServerEnv,
  ) {
    this.disk = new MemoryStorage(initial);
    this.durable = initial.hardState;
    this.log = new StoredLog(initial.snapshot, initial.entries);
    this.raft = this.createHost(0);
  }

  get up(): boolean {
    return this.status === 'running' || this.status === 'paused';
  }

  /** Index of the last entry the machine applied. */
  get appliedIndex(): number {
    return this.raft.appliedIndex;
  }

  // ---- process lifecycle ------------------------------------------------------------

  /** Attaches to the network and starts the driver ticking every `tickMs`, the first tick after `phaseMs`. */
  start(tickMs: number, phaseMs: number): void {
    this.status = 'running';
    const { hardState, snapshot, entries } = this.disk.state();
    this.env.trace.log(this.id, () => {
      const { term, vote, commit } = hardState;
      const snapshotIndex = snapshot?.meta.index ?? 0;
      return `start (life ${this.life}) from disk: term ${term} vote ${vote ?? '-'} commit ${commit}, snapshot at ${snapshotIndex}, log to ${snapshotIndex + entries.length}`;
    });
    this.env.network.attach(this.id, (from, wire) => this.receive(from, wire));
    this.raft = this.createHost(phaseMs, tickMs);
    this.guard(() => this.raft.start());
  }

  /** Stops at once: nothing more runs, unwritten state and pending requests are lost, messages to it are dropped. */
  crash(status: 'crashed' | 'removed' = 'crashed'): void {
    this.status = status;
    this.life++;
    this.inbox = [];
    this.disk.crash(this.env.tornRecords());
    this.env.network.detach(this.id);
  }

  /** A new process on the same disk. */
  restart(tickMs: number, phaseMs: number): void {
    if (this.up) this.crash();
    const state = this.disk.state();
    this.disk = new MemoryStorage(state);
    this.durable = state.hardState;
    this.log = new StoredLog(state.snapshot, state.entries);
    this.term = state.hardState.term;
    this.commit = state.hardState.commit;
    this.role = 'follower';
    this.leader = null;
    this.env.checker.restarted(this.id);
    this.start(tickMs, phaseMs);
  }

  /** Blocks the process (a long GC, a stopped VM): input queues up and ticks are missed until `resume`. */
  pause(): void {
    if (this.status === 'running') this.status = 'paused';
  }

  /** Runs everything that queued up during the pause, in arrival order. */
  resume(): void {
    if (this.status !== 'paused') return;
    this.status = 'running';
    const inbox = this.inbox;
    this.inbox = [];
    for (const run of inbox) if (this.status === 'running') run();
  }

  /** Asks this server (the leader) to hand leadership to `to`; the refusal, if any. */
  transferLeadership(to: NodeId): string | null {
    if (this.status !== 'running') return `${this.id} is ${this.status}`;
    const refusal = this.raft.transferLeadership(to);
    return refusal === null ? null : refusal.kind;
  }

  /** Proposes a configuration change through this server (the leader); the outcome is traced when it settles. */
  proposeConfChange(change: ConfChange): void {
    if (this.status !== 'running') return;
    const life = this.life;
    void this.raft.changeConf(change, REQUEST_TIMEOUT_MS).then((outcome) => {
      if (this.life === life) this.env.trace.log(this.id, () => `${change.type} ${change.node}: ${outcome.kind}`);
    });
  }

  // ---- input ---------------------------------------------------------------------------

  /** Runs `action` now, or after the pause; nothing once crashed. */
  private input(action: () => void): void {
    if (this.status === 'paused') {
      this.inbox.push(() => this.input(action));
      return;
    }
    if (this.status !== 'running') return;
    this.guard(action);
  }

  private receive(from: string, wire: SimWire): void {
    if (wire.kind === 'raft') {
      this.input(() => {
        this.env.trace.log(this.id, () => `recv ${describeMessage(wire.message)}`);
        this.raft.receive([wire.message]);
      });
    } else if (wire.kind === 'request') {
      this.input(() => this.request(from, wire.request));
    }
  }

  private request(from: string, request: ClientRequest): void {
    this.env.trace.log(this.id, () => `request from ${from}: #${request.seq}.${request.attempt} ${JSON.stringify(request.op)} by ${request.path}`);
    let outcome: Promise<Outcome>;
    if (request.path === 'read-index') {
      if (request.op.type !== 'get') throw new Error(`a ReadIndex request must be a get, not ${request.op.type}`);
      outcome = this.raft.read(request.op.key, 'linearizable', REQUEST_TIMEOUT_MS);
    } else {
      outcome = this.raft.write(encodeKvCommand({ ...request.op, session: { client: request.client, seq: request.seq } }), REQUEST_TIMEOUT_MS);
    }
    const life = this.life;
    void outcome.then((o) => {
      if (this.life === life && this.up) this.guard(() => this.reply(request, o));
    });
  }

  private reply(request: ClientRequest, outcome: Outcome): void {
    const head = { client: request.client, seq: request.seq, attempt: request.attempt };
    let reply: ClientReply;
    if (outcome.kind === 'done') reply = { ...head, result: outcome.result };
    else if (outcome.kind === 'not-leader') reply = { ...head, retry: 'not-leader', leader: outcome.leader };
    else if (outcome.kind === 'lost' || outcome.kind === 'unknown') reply = { ...head, retry: 'lost', leader: null };
    else reply = { ...head, retry: 'busy', leader: null };
    this.env.network.send(this.id, request.client, { kind: 'reply', reply });
  }

  /** Runs `action`, handing what it throws to the cluster. */
  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.env.fault(error);
    }
  }

  // ---- what the driver is given ----------------------------------------------------------

  private createHost(phaseMs: number, tickMs = 10): RaftHost {
    const life = this.life;
    const timers = this.timers(life, phaseMs);
    this.disk = new MemoryStorage(this.disk.state(), { timers, latencyMs: () => this.env.diskLatency() });
    return new RaftHost(
      {
        raft: { ...this.env.raft, id: this.id },
        tickMs,
        snapshotThreshold: this.env.snapshotEvery,
        storage: this.checkedDisk(life),
        transport: { send: (messages) => this.guard(() => messages.forEach((m) => this.send(m))) },
        timers,
        rng: this.env.rngFor(this.id, life),
        log: SILENT,
        session: `${this.id}~${life}`,
        observer: { ready: (ready) => this.guard(() => this.take(ready)), applying: (entry) => this.guard(() => this.applying(entry)) },
      },
      this.disk.state(),
    );
  }

  /**
   * The driver's timers in this life: none run after a crash; while paused,
   * the ticks are missed and the rest wait for the resume. The first tick
   * comes after `phaseMs`.
   */
  private timers(life: number, phaseMs: number): Timers {
    const clock = this.env.clock;
    const alive = (): boolean => this.life === life && this.up;
    return {
      every: (ms, action) => {
        let on = true;
        const loop = (): void => {
          if (!on || !alive()) return;
          if (this.status === 'running') {
            this.env.trace.log(this.id, () => 'tick');
            this.guard(action);
          }
          clock.after(ms, loop);
        };
        clock.after(phaseMs, loop);
        return () => (on = false);
      },
      after: (ms, action) => {
        let on = true;
        clock.after(ms, () => on && alive() && this.input(action));
        return () => (on = false);
      },
    };
  }

  /** The disk as the driver sees it, checking each hard state made durable. */
  private checkedDisk(life: number): RaftStorage {
    const disk = (): MemoryStorage => this.disk;
    return {
      state: () => disk().state(),
      save: (write: StorageWrite) =>
        disk()
          .save(write)
          .then(() => {
            if (this.life !== life || write.hardState === undefined) return;
            this.guard(() => this.env.checker.persisted(this.id, this.durable, write.hardState as HardState));
            this.durable = write.hardState;
          }),
      saveSnapshot: (snapshot: Snapshot) => {
        this.guard(() => {
          this.env.checker.snapshotTaken(this.id, snapshot.meta);
          this.log.compact(snapshot);
          this.env.trace.log(this.id, () => `snapshot at ${snapshot.meta.index}@${snapshot.meta.term}, log compacted`);
        });
        return disk().saveSnapshot(snapshot);
      },
      condition: () => disk().condition(),
      close: () => disk().close(),
    };
  }

  /** What the core now holds in memory: its log, its commit, its role. Checked at once. */
  private take(ready: Ready): void {
    const { checker, trace } = this.env;
    // The disk keeps these objects: the core must never change them again.
    for (const entry of ready.entries) Object.freeze(entry);
    try {
      if (ready.snapshot) this.log.install(ready.snapshot);
      this.log.append(ready.entries);
    } catch (error) {
      if (error instanceof LogContractError) throw new SafetyViolation(`log: ${this.id}'s Ready does not fit its log: ${error.message}`);
      throw error;
    }
    if (ready.snapshot) checker.snapshotTaken(this.id, ready.snapshot.meta);
    checker.appended(this.id, ready.entries, this.log);
    const commitBefore = this.commit;
    if (ready.hardState) {
      this.term = ready.hardState.term;
      this.commit = ready.hardState.commit;
      checker.committed(this.id, this.term, this.commit, this.log);
    }
    if (ready.softState) {
      const { role, leader } = ready.softState;
      if (role !== this.role) trace.log(this.id, () => `role ${this.role} -> ${role} (term ${this.raft.status().term})`);
      if (leader !== this.leader) trace.log(this.id, () => `leader ${this.leader ?? 'none'} -> ${leader ?? 'none'}`);
      this.role = role;
      this.leader = leader;
      if (role === 'leader') {
        checker.becameLeader(this.id, this.raft.status().term, this.log);
        this.env.onLeaderEvent(this, 'elected');
      }
    }
    if (this.role === 'leader' && this.commit > commitBefore) this.env.onLeaderEvent(this, 'committed');
    if (trace.on && (ready.entries.length > 0 || ready.hardState)) {
      trace.log(this.id, () => {
        const hs = ready.hardState ? ` hard state term=${ready.hardState.term} vote=${ready.hardState.vote ?? '-'} commit=${ready.hardState.commit}` : '';
        const entries = ready.entries.length > 0 ? ` entries ${ready.entries[0]?.index}..${ready.entries.at(-1)?.index}` : '';
        return `ready${hs}${entries}${ready.snapshot ? ` snapshot@${ready.snapshot.meta.index}` : ''}`;
      });
    }
  }

  private applying(entry: Entry): void {
    const applied = this.raft.appliedIndex;
    if (entry.index !== applied + 1) throw new SafetyViolation(`apply: ${this.id} was handed index ${entry.index} to apply after ${applied}`);
    this.env.checker.applied(this.id, this.term, entry);
    this.env.trace.log(this.id, () => `apply ${entry.index}@${entry.term} ${entry.kind === 'config' ? `${entry.change.type} ${entry.change.node}` : entry.data.length === 0 ? 'no-op' : new TextDecoder().decode(entry.data)}`);
    this.env.onApplied(this, entry);
  }

  private send(message: Message): void {
    if (message.type === 'append' || message.type === 'heartbeat' || message.type === 'snapshot') {
      // Only a leader sends these: one more witness for election safety.
      this.env.checker.leaderActs(message.from, message.term);
    }
    this.env.trace.log(this.id, () => `send ${describeMessage(message)}`);
    this.env.onRaftMessage(message);
    const wire = this.env.wireCodec ? throughCodec(message) : message;
    this.env.network.send(this.id, message.to, { kind: 'raft', message: freezeMessage(wire) });
  }
}
