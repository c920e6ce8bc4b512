/**
 * A RaftStorage in memory, for drivers run without a disk (tests, the
 * simulator). It keeps exactly what a WAL would have made durable, and
 * offers the faults a disk has: saves that take time (on injected timers,
 * completing in the order they were made), a crash that loses every save
 * still in flight or tears the oldest one (a prefix of its records survives,
 * in the WAL's order: hard state, snapshot, entries), a transient error that
 * holds saves back until it clears (condition `retrying`), and a media
 * error that fails every save from then on.
 */
import type { Entry, HardState, PersistedState, Snapshot } from '../../core/raft/types.js';
import type { RaftStorage, StorageWrite } from './raft-storage.js';
import type { StorageCondition } from './storage-condition.js';
import type { Timers } from './timers.js';

export interface MemoryStorageOptions {
  /** Where save latency is waited for; needed only when `latencyMs` can be above 0. */
  readonly timers?: Timers;
  /** Milliseconds each save takes, asked once per save. Default 0: durable at once (still settled asynchronously). */
  readonly latencyMs?: () => number;
}

interface Pending {
  readonly write: StorageWrite | { readonly compact: Snapshot };
  /** Whether its latency has passed. */
  ready: boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  /** Resolves when it is durable, failed or lost (what `close` waits for). */
  readonly finished: Promise<void>;
  readonly finish: () => void;
}

/** Counts of what the storage did, for tests. */
export interface MemoryStorageStats {
  saves: number;
  snapshots: number;
  /** Saves lost or torn by `crash`. */
  lost: number;
}

export class MemoryStorage implements RaftStorage {
  private hardState: HardState;
  private snapshot: Snapshot | undefined;
  private entries: Entry[];
  /** Saves not yet durable, oldest first. */
  private pending: Pending[] = [];
  private held: { readonly code: string; readonly message: string } | undefined;
  private failure: Error | undefined;
  readonly stats: MemoryStorageStats = { saves: 0, snapshots: 0, lost: 0 };

  constructor(
    initial: PersistedState,
    private readonly options: MemoryStorageOptions = {},
  ) {
    this.hardState = initial.hardState;
    this.snapshot = initial.snapshot;
    this.entries = [...initial.entries];
  }

  state(): PersistedState {
    return { hardState: this.hardState, ...(this.snapshot && { snapshot: this.snapshot }), entries: [...this.entries] };
  }

  save(write: StorageWrite): Promise<void> {
    this.stats.saves++;
    return this.enqueue(write);
  }

  saveSnapshot(snapshot: Snapshot): Promise<void> {
    this.stats.snapshots++;
    return this.enqueue({ compact: snapshot });
  }

  condition(): StorageCondition {
    if (this.failure) return { kind: 'failed', message: this.failure.message };
    if (this.held) return { kind: 'retrying', ...this.held, attempts: 1, nextInMs: 0 };
    return { kind: 'ok' };
  }

  /** Settles once every save made so far is durable or failed (a crash drops them instead). */
  async close(): Promise<void> {
    await Promise.all(this.pending.map((p) => p.finished));
  }

  // ---- faults ----------------------------------------------------------------------------

  /**
   * The process dies: every save in flight is lost and never settles. With
   * `tornRecords`, the oldest one is torn instead: that many of its records
   * (hard state, snapshot, entries, in that order) survive.
   */
  crash(tornRecords?: number): void {
    const [oldest] = this.pending;
    if (tornRecords !== undefined && oldest !== undefined && !('compact' in oldest.write)) this.apply(torn(oldest.write, tornRecords));
    this.stats.lost += this.pending.length;
    for (const p of this.pending) p.finish();
    this.pending = [];
    this.held = undefined;
  }

  /** A transient error (ENOSPC, EMFILE): saves wait and the condition says `retrying` until `release`. */
  hold(code: string, message: string): void {
    this.held = { code, message };
  }

  /** The transient error cleared: held saves complete, in order. */
  release(): void {
    this.held = undefined;
    this.drain();
  }

  /** A media error: every save in flight and every later one rejects with `error`. */
  fail(error: Error): void {
    this.failure = error;
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) {
      p.finish();
      p.reject(error);
    }
  }

  // ---- saves -----------------------------------------------------------------------------

  private enqueue(write: Pending['write']): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    let finish = (): void => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    return new Promise((resolve, reject) => {
      const pending: Pending = { write, ready: false, resolve, reject, finished, finish };
      this.pending.push(pending);
      const latency = this.options.latencyMs?.() ?? 0;
      if (latency <= 0) {
        pending.ready = true;
        this.drain();
        return;
      }
      if (this.options.timers === undefined) throw new Error('MemoryStorage: a save latency needs timers');
      this.options.timers.after(latency, () => {
        pending.ready = true;
        this.drain();
      });
    });
  }

  /** Completes, oldest first, the saves whose time has come, stopping at the first that has not. */
  private drain(): void {
    while (!this.held && !this.failure) {
      const first = this.pending[0];
      if (first === undefined || !first.ready) return;
      this.pending.shift();
      this.apply(first.write);
      first.finish();
      first.resolve();
    }
  }

  private apply(write: Pending['write']): void {
    if ('compact' in write) {
      const at = write.compact.meta.index;
      const first = this.firstIndex();
      if (at < first) return;
      this.entries = this.entries.slice(at - first + 1);
      this.snapshot = write.compact;
      return;
    }
    if (write.hardState) this.hardState = write.hardState;
    if (write.snapshot) {
      this.snapshot = write.snapshot;
      this.entries = [];
    }
    const head = write.entries[0];
    if (head === undefined) return;
    const first = this.firstIndex();
    if (head.index < first || head.index > first + this.entries.length) {
      throw new Error(`MemoryStorage: entries from ${head.index} do not fit a log holding ${first}..${first + this.entries.length - 1}`);
    }
    this.entries.length = head.index - first;
    this.entries.push(...write.entries);
  }

  /** Index of the first entry after the snapshot. */
  private firstIndex(): number {
    return (this.snapshot?.meta.index ?? 0) + 1;
  }
}

/** The first `records` records of `write`, in the WAL's order. */
function torn(write: StorageWrite, records: number): StorageWrite {
  let left = records;
  const take = (): boolean => left-- > 0;
  const hardState = write.hardState && take() ? write.hardState : undefined;
  const snapshot = write.snapshot && take() ? write.snapshot : undefined;
  const entries = write.entries.slice(0, Math.max(0, left));
  return { entries, ...(hardState && { hardState }), ...(snapshot && { snapshot }) };
}

