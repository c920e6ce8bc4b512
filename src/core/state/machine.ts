/**
 * The contract of every replicated state machine (kv now; locks, queues and
 * TTLs later). Raft hands each server the same committed entries in the same
 * order; a machine that keeps this contract then holds the same state and
 * returns the same results on every server.
 */
export interface StateMachine<Result> {
  /** Index of the last entry applied, or covered by the restored snapshot; 0 for a fresh machine. */
  readonly appliedIndex: number;

  /**
   * Applies the committed entry at `index` and returns its result. Deterministic:
   * depends only on the machine's state, `index` and the bytes. Bytes that do not
   * decode give an error result and change nothing but `appliedIndex`; an empty
   * command is the leader's no-op (give the same to entries that carry no
   * command, such as configuration changes). Throws RangeError only when `index`
   * is not a safe integer above `appliedIndex` (the caller replayed an entry).
   */
  apply(index: number, command: Uint8Array): Result;

  /** The whole state as bytes, `appliedIndex` included; equal states give equal bytes. */
  snapshot(): Uint8Array;

  /** Replaces the whole state with a snapshot's. Throws SnapshotCorruptError, leaving the state as it was, if the bytes are not a valid snapshot of this machine. */
  restore(data: Uint8Array): void;
}

/** A snapshot failed its checks (framing, checksum, structure); nothing was restored. */
export class SnapshotCorruptError extends Error {
  override readonly name = 'SnapshotCorruptError';
}
