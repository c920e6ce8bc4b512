/**
 * One Raft member: the pure RaftNode driven by injected timers, its log in a
 * RaftStorage (the WAL in a process, memory in the simulator), its messages
 * through a MessageTransport, and the key/value machine. Each Ready is handled in order:
 * persist (one group-committed write; a change of the commit index alone is
 * not worth an fsync, it is written with the next save), then send, then
 * apply and serve reads, then advance. While the disk refuses a save for
 * now (the storage retries it), the loop waits on it, so nothing that
 * depends on it (a vote, an acknowledgement) leaves; writes and linearizable
 * reads are answered `storage-retrying`, stale reads served, and the member
 * resumes by itself once the save passes. A failed disk stops the member for
 * good: it neither votes nor acknowledges again, answers writes with
 * `storage-failed` and serves stale reads.
 */
import { randomUUID } from 'node:crypto';
import { RaftNode } from '../../core/raft/node.js';
import { storedTermProblem } from '../../core/raft/plausible.js';
import type { ConfChange, Entry, HardState, Message, NodeId, PersistedState, RaftConfig, RaftStatus, Ready, Refusal, Snapshot } from '../../core/raft/types.js';
import type { Rng } from '../../core/rng.js';
import { KvMachine } from '../../core/state/kv.js';
import type { ClientSession, KvResult } from '../../core/state/kv-types.js';
import { RaftTermExhaustedError } from '../../errors.js';
import type { Logger } from '../../ops/log.js';
import type { MessageTransport } from './message-transport.js';
import type { Outcome } from './outcome.js';
import type { RaftStorage } from './raft-storage.js';
import { describeCondition, type StorageCondition } from './storage-condition.js';
import type { Cancel, Timers } from './timers.js';
import { Waiting } from './waiting.js';

export interface HostOptions {
  readonly raft: RaftConfig;
  readonly tickMs: number;
  /** Applied entries between two snapshots of the machine. */
  readonly snapshotThreshold: number;
  readonly storage: RaftStorage;
  /** Where this member's messages go (what arrives is given to `receive`). */
  readonly transport: MessageTransport;
  /** The ticks and the requests' deadlines: realTimers in a process, a virtual clock in the simulator. */
  readonly timers: Timers;
  readonly rng: Rng;
  readonly log: Logger;
  /** This process's session for the commands it forwards to the leader. Default `<id>~<random UUID>`: a new one each start. */
  readonly session?: string;
  /** Told what the driver takes from the core (the simulator checks it); none in a process. */
  readonly observer?: HostObserver;
}

/** Sees the driver's work as it happens; must not call back into the driver. */
export interface HostObserver {
  /** A Ready just taken from the core, before anything of it is persisted or sent. */
  ready(ready: Ready): void;
  /** A committed entry about to be applied to the machine. */
  applying(entry: Entry): void;
}

export interface HostCounters {
  proposals: number;
  /** Writes forwarded to the leader inside Raft. */
  forwarded: number;
  readIndexReads: number;
  staleReads: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
}

const NO_COMMAND = new Uint8Array(0);

const TERM_RECOVERY =
  'If other members are healthy, remove this member (dinc-agent raft remove <id> on the leader), empty its [raft] data_dir and add it back (dinc-agent raft add). ' +
  'If every member shows this, no leader can be elected again: read what you need with consistency=stale under the previous version, then form a new group on empty data directories. ' +
  'Set [raft] token so that forged messages are refused at the transport (docs/raft.md, "Forged messages")';

export class RaftHost {
  private readonly node: RaftNode;
  private machine = new KvMachine();
  private readonly waiting: Waiting;
  private stopTicks: Cancel = () => {};
  private writing = false;
  private stopped = false;
  private failure: Error | undefined;
  /** The hard state as last handed to the disk. */
  private savedHardState: HardState;
  /** The newest hard state the node reported (a commit-only change may not be saved yet). */
  private hardState: HardState;
  private snapshotIndex = 0;
  /** Size of the last snapshot, and bytes of commands applied since: a snapshot waits until the log is half its size. */
  private snapshotBytes = 0;
  private appliedBytes = 0;
  private snapshotting = false;
  private leader: NodeId | null = null;
  /** This process's session for the commands it forwards to the leader (a new one each start, so numbers restart at 1). */
  private readonly sessionClient: string;
  private sessionSeq = 0;
  readonly counters: HostCounters = { proposals: 0, forwarded: 0, readIndexReads: 0, staleReads: 0, snapshotsTaken: 0, snapshotsInstalled: 0 };

  constructor(
    private readonly options: HostOptions,
    persisted: PersistedState,
  ) {
    const stored = storedTermProblem(persisted.hardState);
    if (stored !== null) throw new RaftTermExhaustedError(`${stored}. ${TERM_RECOVERY}`);
    this.node = new RaftNode(options.raft, persisted, options.rng);
    this.waiting = new Waiting(options.timers);
    this.sessionClient = options.session ?? `${options.raft.id}~${randomUUID()}`;
    this.savedHardState = persisted.hardState;
    this.hardState = persisted.hardState;
    if (persisted.snapshot) this.restore(persisted.snapshot);
  }

  get id(): NodeId {
    return this.options.raft.id;
  }

  /** Starts the clock. */
  start(): void {
    this.stopTicks = this.options.timers.every(this.options.tickMs, () => this.input(() => this.node.tick()));
    this.pump();
  }

  /** Stops the clock and input; settles what waits as unknown; waits for the write in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTicks();
    this.waiting.settleAll({ kind: 'unknown', reason: 'this member is stopping' });
    await this.options.storage.close();
  }

  /** Messages from other members. */
  receive(messages: readonly Message[]): void {
    this.input(() => {
      for (const m of messages) this.node.step(m);
    });
  }

  /**
   * A write from any member: proposed here on the leader; on a follower,
   * when `canForward` says the leader is reachable, forwarded to it inside
   * Raft under this member's session and answered when this member applies
   * it; otherwise refused with the leader's id (the caller may forward the
   * request itself). `encode` makes the command, with the session if given.
   */
  writeAnywhere(encode: (session?: ClientSession) => Uint8Array, timeoutMs: number, canForward: (leader: NodeId) => boolean): Promise<Outcome> {
    const leader = this.leader;
    if (leader === this.id || leader === null || !canForward(leader)) return this.write(encode(), timeoutMs);
    const unavailable = this.unavailable();
    if (unavailable) return Promise.resolve(unavailable);
    const seq = ++this.sessionSeq;
    const refusal = this.node.forward(encode({ client: this.sessionClient, seq }));
    if (refusal !== null) return Promise.resolve(refused(refusal));
    this.counters.forwarded++;
    const outcome = this.waiting.forwarded(seq, timeoutMs);
    this.pump();
    return outcome;
  }

  /** Proposes a write (an encoded put or delete) and resolves when this member applied it, or why not. */
  write(command: Uint8Array, timeoutMs: number): Promise<Outcome> {
    return this.propose(() => this.node.propose(command), timeoutMs);
  }

  /** Proposes a change of the group's configuration; `done` once this member applied it. */
  changeConf(change: ConfChange, timeoutMs: number): Promise<Outcome> {
    return this.propose(() => this.node.proposeConfChange(change), timeoutMs);
  }

  /** A linearizable read (ReadIndex, confirmed through the leader), or the local machine's value for `stale`. */
  read(key: string, consistency: 'linearizable' | 'stale', timeoutMs: number): Promise<Outcome> {
    if (consistency === 'stale') {
      this.counters.staleReads++;
      return Promise.resolve({ kind: 'done', result: this.machine.read(key) });
    }
    const unavailable = this.unavailable();
    if (unavailable) return Promise.resolve(unavailable);
    this.counters.readIndexReads++;
    const { ctx, outcome } = this.waiting.read(() => this.machine.read(key), timeoutMs);
    const refusal = this.node.readIndex(ctx);
    if (refusal !== null) this.waiting.failedRead(ctx, refused(refusal));
    this.pump();
    return outcome;
  }

  /** The local machine's value of `key`, as applied so far. */
  readLocal(key: string): KvResult {
    return this.machine.read(key);
  }

  transferLeadership(to: NodeId): Outcome | null {
    const unavailable = this.unavailable();
    if (unavailable) return unavailable;
    const refusal = this.node.transferLeadership(to);
    this.pump();
    return refusal === null ? null : refused(refusal);
  }

  status(): RaftStatus {
    return this.node.status();
  }

  get storageFailure(): Error | undefined {
    return this.failure;
  }

  /** How the disk is doing: `ok`, `retrying` a save that met a transient error, or `failed`. */
  get storageCondition(): StorageCondition {
    if (this.failure) return { kind: 'failed', message: this.failure.message };
    return this.options.storage.condition();
  }

  get keys(): number {
    return this.machine.size;
  }

  /** Index of the last entry the machine applied. */
  get appliedIndex(): number {
    return this.machine.appliedIndex;
  }

  get lastSnapshotIndex(): number {
    return this.snapshotIndex;
  }

  private propose(attempt: () => ReturnType<RaftNode['propose']>, timeoutMs: number): Promise<Outcome> {
    const unavailable = this.unavailable();
    if (unavailable) return Promise.resolve(unavailable);
    const result = attempt();
    if (!result.ok) return Promise.resolve(refused(result));
    this.counters.proposals++;
    const outcome = this.waiting.proposal(result.index, result.term, timeoutMs);
    this.pump();
    return outcome;
  }

  private unavailable(): Outcome | null {
    if (this.failure) return { kind: 'storage-failed', reason: `this member's disk failed (${this.failure.message}); it serves stale reads only` };
    const storage = this.options.storage.condition();
    if (storage.kind === 'retrying') {
      const reason = `this member cannot write its Raft log for now, ${describeCondition(storage)}; it resumes by itself, stale reads are served meanwhile`;
      return { kind: 'storage-retrying', reason, retryAfterS: Math.max(1, Math.ceil(storage.nextInMs / 1000)) };
    }
    if (this.stopped) return { kind: 'unknown', reason: 'this member is stopping' };
    return null;
  }

  private input(action: () => void): void {
    if (this.stopped || this.failure) return;
    action();
    this.pump();
  }

  // ---- the Ready loop -------------------------------------------------------------------

  private pump(): void {
    while (!this.writing && !this.stopped && !this.failure && this.node.hasReady()) {
      const ready = this.node.ready();
      this.options.observer?.ready(ready);
      if (ready.hardState) this.hardState = ready.hardState;
      const hardState = this.hardStateToSave(ready);
      if (hardState === undefined && ready.entries.length === 0 && ready.snapshot === undefined) {
        this.complete(ready);
        continue;
      }
      this.writing = true;
      // A leader counts only its own durable entries towards commit, so its messages need not wait for its disk (thesis §10.2.1).
      const sent = this.node.status().role === 'leader' && !this.changesTermOrVote();
      if (sent) this.options.transport.send(ready.messages);
      const write = { entries: ready.entries, ...(hardState && { hardState }), ...(ready.snapshot && { snapshot: ready.snapshot }) };
      this.options.storage.save(write).then(
        () => {
          if (hardState) this.savedHardState = hardState;
          this.writing = false;
          if (this.stopped) return;
          this.complete(ready, sent);
          this.pump();
        },
        (error: unknown) => this.fail(error),
      );
      return;
    }
  }

  /** The hard state to write with this Ready: always when term or vote changed; a new commit index rides along with other writes. */
  private hardStateToSave(ready: Ready): HardState | undefined {
    const writing = ready.entries.length > 0 || ready.snapshot !== undefined;
    if (this.changesTermOrVote() || (writing && this.hardState.commit !== this.savedHardState.commit)) return this.hardState;
    return undefined;
  }

  private changesTermOrVote(): boolean {
    return this.hardState.term !== this.savedHardState.term || this.hardState.vote !== this.savedHardState.vote;
  }

  /** Persisted: send (unless `sent` already), apply, serve reads, advance. */
  private complete(ready: Ready, sent = false): void {
    if (ready.snapshot) this.installSnapshot(ready.snapshot);
    if (!sent && ready.messages.length > 0) this.options.transport.send(ready.messages);
    for (const entry of ready.committed) this.apply(entry);
    for (const { ctx, index } of ready.readStates) this.waiting.confirmed(ctx, index);
    for (const { ctx, refusal } of ready.failedReads) this.waiting.failedRead(ctx, refused(refusal));
    this.waiting.serveReads(this.machine.appliedIndex);
    if (ready.softState) this.leaderChanged(ready.softState.leader);
    this.node.advance(ready);
    if (ready.committed.length > 0 || ready.snapshot) this.node.applied(this.machine.appliedIndex);
    if (this.snapshotDue()) this.takeSnapshot();
  }

  /**
   * Every `snapshotThreshold` applied entries, but not before the commands
   * applied since the last snapshot add up to half its size: taking one
   * costs time in proportion to the whole state, so this keeps that cost a
   * bounded multiple of what is written, however large the state grows.
   */
  private snapshotDue(): boolean {
    return this.machine.appliedIndex - this.snapshotIndex >= this.options.snapshotThreshold && this.appliedBytes >= this.snapshotBytes / 2;
  }

  private apply(entry: Entry): void {
    this.options.observer?.applying(entry);
    if (entry.kind === 'normal') this.appliedBytes += entry.data.length;
    const result = this.machine.apply(entry.index, entry.kind === 'normal' ? entry.data : NO_COMMAND);
    if (entry.kind === 'config') this.options.log.info(`configuration change applied: ${entry.change.type} ${entry.change.node}`, { index: entry.index });
    const session = this.machine.lastSession;
    if (session?.client === this.sessionClient) this.waiting.forwardApplied(session.seq, result);
    else this.waiting.applied(entry.index, entry.term, result);
  }

  private leaderChanged(leader: NodeId | null): void {
    const { term } = this.node.status();
    if (leader !== this.leader) {
      if (leader === null) this.options.log.info('no leader', { term });
      else this.options.log.info(leader === this.id ? 'became the Raft leader' : `Raft leader is ${leader}`, { term, leader });
    }
    this.leader = leader;
  }

  /** Snapshots the machine at what it applied and compacts the log, in the node at once and on disk in the background. */
  private takeSnapshot(): void {
    if (this.snapshotting) return;
    this.snapshotting = true;
    const snapshot = this.node.compact(this.machine.appliedIndex, this.machine.snapshot());
    this.snapshotIndex = snapshot.meta.index;
    this.snapshotBytes = snapshot.data.length;
    this.appliedBytes = 0;
    this.counters.snapshotsTaken++;
    this.options.storage.saveSnapshot(snapshot).then(
      () => {
        this.snapshotting = false;
        this.options.log.debug('snapshot saved; log compacted', { index: snapshot.meta.index, bytes: snapshot.data.length });
      },
      (error: unknown) => this.fail(error),
    );
  }

  private installSnapshot(snapshot: Snapshot): void {
    this.restore(snapshot);
    this.counters.snapshotsInstalled++;
    this.waiting.skipped(snapshot.meta.index);
    this.options.log.info('caught up from the leader by a snapshot', { index: snapshot.meta.index, term: snapshot.meta.term, bytes: snapshot.data.length });
  }

  private restore(snapshot: Snapshot): void {
    this.machine = new KvMachine();
    if (snapshot.meta.index > 0) this.machine.restore(snapshot.data);
    this.snapshotIndex = snapshot.meta.index;
    this.snapshotBytes = snapshot.data.length;
    this.appliedBytes = 0;
  }

  private fail(error: unknown): void {
    if (this.failure || this.stopped) return;
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.stopTicks();
    this.options.log.error('the Raft log cannot be written: this member stops voting and accepting writes and serves stale reads until restarted', {
      error: this.failure.message,
    });
    this.waiting.settleAll({ kind: 'unknown', reason: `this member's disk failed (${this.failure.message}); the outcome is not known` });
  }
}

function refused(refusal: Refusal): Outcome {
  if (refusal.error === 'not-leader') return { kind: 'not-leader', leader: refusal.leader };
  return { kind: 'refused', reason: refusal.reason };
}
