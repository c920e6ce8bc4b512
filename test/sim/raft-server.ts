/**
 * One simulated server process: a RaftNode, its disk and its key/value
 * machine, driven the way a real server drives them. Each Ready is handled
 * in order: persist (hard state, snapshot, entries; the write may take
 * simulated time, and the next Ready waits for it), then send, then apply
 * the committed entries and serve the reads, then advance; every
 * `snapshotEvery` applied entries the machine is snapshotted and the log
 * compacted. A crash loses everything not yet written (a write in flight
 * included); a restart builds a new node from the disk and a machine from the
 * disk's snapshot, and Raft hands the committed entries again.
 */
import type { Rng } from '../../src/core/rng.js';
import { RaftNode } from '../../src/core/raft/node.js';
import type { ConfChange, Entry, Message, NodeId, PersistedState, ProposeResult, RaftConfig, Ready, Role, Snapshot } from '../../src/core/raft/types.js';
import { KvMachine } from '../../src/core/state/kv.js';
import type { SimClock } from './clock.js';
import type { SimNetwork } from './network.js';
import { SimDisk, type StoredLog, LogContractError } from './raft-disk.js';
import { SafetyViolation, type SafetyChecker } from './raft-invariants.js';
import { KvService } from './raft-service.js';
import { describeMessage } from './raft-describe.js';
import type { Trace } from './raft-trace.js';
import { freezeMessage, throughCodec, type ClientRequest, type SimWire } from './raft-wire.js';

export type ServerStatus = 'running' | 'paused' | 'crashed' | 'removed';

export type LeaderEvent = 'elected' | 'committed';

/** What every server of a simulated cluster shares. */
export interface ServerEnv {
  readonly clock: SimClock;
  readonly network: SimNetwork<SimWire>;
  readonly trace: Trace;
  readonly checker: SafetyChecker;
  readonly raft: Omit<RaftConfig, 'id'>;
  /** Applied entries between two snapshots of the machine. */
  readonly snapshotEvery: number;
  /** Whether Raft messages go through the wire codec. */
  readonly wireCodec: boolean;
  /** Simulated milliseconds of one disk write (0: done at once). */
  diskLatency(): number;
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
}

const NO_COMMAND = new Uint8Array(0);

export class SimServer {
  status: ServerStatus = 'running';
  /** Incremented at each restart. */
  life = 0;
  raft: RaftNode;
  machine = new KvMachine();
  readonly disk: SimDisk;
  /** The log as the core has handed it out (durable or not). */
  log: StoredLog;
  role: Role = 'follower';
  leader: NodeId | null = null;
  /** The core's term and commit index as of its last Ready. */
  private term: number;
  private commit: number;
  private service: KvService;
  /** A Ready whose disk write has not completed. */
  private writing = false;
  /** Input that arrived while paused. */
  private inbox: (() => void)[] = [];
  /** Index of the last snapshot of the machine. */
  private snapshotIndex = 0;

  constructor(
    readonly id: NodeId,
    initial: PersistedState,
    private readonly env: ServerEnv,
  ) {
    this.disk = new SimDisk(initial);
    this.term = initial.hardState.term;
    this.commit = initial.hardState.commit;
    this.log = this.disk.log.clone();
    this.raft = this.createNode();
    this.service = this.createService();
    this.restoreFromDisk();
  }

  get up(): boolean {
    return this.status === 'running' || this.status === 'paused';
  }

  // ---- process lifecycle ------------------------------------------------------------

  /** Attaches to the network and starts ticking every `tickMs`, the first tick after `phaseMs`. */
  start(tickMs: number, phaseMs: number): void {
    this.status = 'running';
    this.env.trace.log(this.id, () => {
      const { term, vote, commit } = this.disk.hardState;
      return `start (life ${this.life}) from disk: term ${term} vote ${vote ?? '-'} commit ${commit}, snapshot at ${this.disk.log.snapshotIndex}, log to ${this.disk.log.lastIndex}`;
    });
    this.env.network.attach(this.id, (from, wire) => this.receive(from, wire));
    const life = this.life;
    const loop = (): void => {
      if (this.life !== life || !this.up) return;
      if (this.status === 'running') this.tick();
      this.env.clock.after(tickMs, loop);
    };
    this.env.clock.after(phaseMs, loop);
  }

  /** Stops at once: nothing more runs, unwritten state and pending requests are lost, messages to it are dropped. */
  crash(status: 'crashed' | 'removed' = 'crashed'): void {
    this.status = status;
    this.life++;
    this.inbox = [];
    this.writing = false;
    this.env.network.detach(this.id);
  }

  /** A new process on the same disk. */
  restart(tickMs: number, phaseMs: number): void {
    if (this.up) this.crash();
    this.raft = this.createNode();
    this.service = this.createService();
    this.machine = new KvMachine();
    this.log = this.disk.log.clone();
    this.term = this.disk.hardState.term;
    this.commit = this.disk.hardState.commit;
    this.role = 'follower';
    this.leader = null;
    this.restoreFromDisk();
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

  // ---- input ---------------------------------------------------------------------------

  /** Runs `action` now, or after the pause; then handles the node's Ready. */
  private input(action: () => void): void {
    if (this.status === 'paused') {
      this.inbox.push(() => this.input(action));
      return;
    }
    if (this.status !== 'running') return;
    action();
    this.pump();
  }

  private receive(from: string, wire: SimWire): void {
    if (wire.kind === 'raft') {
      this.input(() => {
        this.env.trace.log(this.id, () => `recv ${describeMessage(wire.message)}`);
        this.raft.step(wire.message);
      });
    } else if (wire.kind === 'request') {
      this.input(() => this.request(from, wire.request));
    }
  }

  private request(from: string, request: ClientRequest): void {
    this.env.trace.log(this.id, () => `request from ${from}: #${request.seq}.${request.attempt} ${JSON.stringify(request.op)} by ${request.path}`);
    this.service.request(this.raft, request);
  }

  private tick(): void {
    this.input(() => {
      this.env.trace.log(this.id, () => 'tick');
      this.raft.tick();
    });
  }

  /** Proposes a command from inside this process (an embedded client; the benchmark's proposers). */
  propose(data: Uint8Array): ProposeResult {
    if (this.status !== 'running') return { ok: false, error: 'busy', reason: `${this.id} is ${this.status}` };
    const result = this.raft.propose(data);
    this.pump();
    return result;
  }

  /** Asks this server (the leader) to hand leadership to `to`; the refusal, if any. */
  transferLeadership(to: NodeId): string | null {
    if (this.status !== 'running') return `${this.id} is ${this.status}`;
    const refusal = this.raft.transferLeadership(to);
    this.pump();
    return refusal === null ? null : refusal.error;
  }

  /** Proposes a configuration change through this server (the leader); the refusal, if any. */
  proposeConfChange(change: ConfChange): string | null {
    if (this.status !== 'running') return `${this.id} is ${this.status}`;
    const result = this.raft.proposeConfChange(change);
    this.pump();
    return result.ok ? null : `${result.error}${'reason' in result ? `: ${result.reason}` : ''}`;
  }

  // ---- the Ready loop --------------------------------------------------------------------

  /** Takes Readys while there are some and no write is in flight. */
  private pump(): void {
    while (this.status === 'running' && !this.writing && this.raft.hasReady()) {
      const ready = this.raft.ready();
      this.take(ready);
      const latency = this.env.diskLatency();
      if (latency <= 0) {
        this.complete(ready);
        continue;
      }
      // A leader's messages go out while its own write is in flight (thesis §10.2.1), as the real member does.
      const sent = this.sendsEarly(ready);
      if (sent) for (const message of ready.messages) this.send(message);
      this.writing = true;
      const life = this.life;
      this.env.clock.after(latency, () => {
        if (this.life !== life) return;
        this.input(() => {
          this.writing = false;
          this.complete(ready, sent);
        });
      });
    }
  }

  /** A leader whose Ready changes neither term nor vote need not wait for its disk to send. */
  private sendsEarly(ready: Ready): boolean {
    const saved = this.disk.hardState;
    return this.role === 'leader' && (ready.hardState === undefined || (ready.hardState.term === saved.term && ready.hardState.vote === saved.vote));
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

  /** The write is done: persist, send (unless `sent` already), apply, serve reads, advance. */
  private complete(ready: Ready, sent = false): void {
    if (ready.hardState) this.env.checker.persisted(this.id, this.disk.hardState, ready.hardState);
    this.disk.write(ready.hardState, ready.snapshot, ready.entries);
    if (ready.snapshot) {
      this.restoreSnapshot(ready.snapshot);
      this.env.trace.log(this.id, () => `machine restored from snapshot ${ready.snapshot?.meta.index}@${ready.snapshot?.meta.term}`);
    }
    if (!sent) for (const message of ready.messages) this.send(message);
    for (const entry of ready.committed) this.apply(entry);
    this.service.readsSettled(ready.readStates, ready.failedReads);
    this.service.serveReads(this.machine);
    this.raft.advance(ready);
    if (ready.committed.length > 0 || ready.snapshot) this.raft.applied(this.machine.appliedIndex);
    if (this.machine.appliedIndex - this.snapshotIndex >= this.env.snapshotEvery) this.takeSnapshot();
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

  private apply(entry: Entry): void {
    if (entry.index !== this.machine.appliedIndex + 1) {
      throw new SafetyViolation(`apply: ${this.id} was handed index ${entry.index} to apply after ${this.machine.appliedIndex}`);
    }
    this.env.checker.applied(this.id, this.term, entry);
    const result = this.machine.apply(entry.index, entry.kind === 'normal' ? entry.data : NO_COMMAND);
    this.env.trace.log(this.id, () => `apply ${entry.index}@${entry.term} ${entry.kind === 'config' ? `${entry.change.type} ${entry.change.node}` : entry.data.length === 0 ? 'no-op' : new TextDecoder().decode(entry.data)}`);
    this.service.applied(entry.index, entry.term, result);
    this.env.onApplied(this, entry);
  }

  /** Snapshots the machine at what it applied and compacts the log, on disk and in the core. */
  private takeSnapshot(): void {
    const snapshot = this.raft.compact(this.machine.appliedIndex, this.machine.snapshot());
    this.env.checker.snapshotTaken(this.id, snapshot.meta);
    this.disk.log.compact(snapshot);
    this.log.compact(snapshot);
    this.snapshotIndex = snapshot.meta.index;
    this.env.trace.log(this.id, () => `snapshot at ${snapshot.meta.index}@${snapshot.meta.term}, log compacted`);
  }

  private restoreSnapshot(snapshot: Snapshot): void {
    if (snapshot.meta.index > 0) this.machine.restore(snapshot.data);
    else this.machine = new KvMachine();
    this.snapshotIndex = snapshot.meta.index;
    this.service.restored(snapshot.meta.index);
  }

  private restoreFromDisk(): void {
    const snapshot = this.disk.log.snapshot;
    if (snapshot) this.restoreSnapshot(snapshot);
  }

  private createNode(): RaftNode {
    return new RaftNode({ ...this.env.raft, id: this.id }, this.disk.load(), this.env.rngFor(this.id, this.life));
  }

  private createService(): KvService {
    return new KvService(this.id, this.life, (to, reply) => this.env.network.send(this.id, to, { kind: 'reply', reply }));
  }
}
