/**
 * The history of a simulated run as the clients saw it: every operation with
 * the virtual time it was invoked and the time and result of its response,
 * or no response at all (it timed out: it may or may not have taken effect).
 */
import type { KvOperation, KvResult } from '../../src/core/state/kv-types.js';
import type { Path } from './raft-wire.js';

export interface HistoryOp {
  /** Position in the history, from 0. */
  readonly id: number;
  readonly client: string;
  readonly op: KvOperation;
  readonly path: Path;
  readonly invokedAt: number;
  /** Set with the response. */
  completedAt?: number;
  /** The result; undefined while pending, and forever when the outcome is unknown. */
  result?: KvResult;
  /** The client gave up waiting: the operation may have taken effect at any time after its invocation, or never. */
  timedOut: boolean;
}

export class History {
  readonly ops: HistoryOp[] = [];

  invoke(client: string, op: KvOperation, path: Path, at: number): HistoryOp {
    const record: HistoryOp = { id: this.ops.length, client, op, path, invokedAt: at, timedOut: false };
    this.ops.push(record);
    return record;
  }

  complete(record: HistoryOp, result: KvResult, at: number): void {
    record.result = result;
    record.completedAt = at;
  }

  timeOut(record: HistoryOp): void {
    record.timedOut = true;
  }

  /** Operations whose outcome is unknown. */
  get unknown(): number {
    return this.ops.filter((op) => op.timedOut).length;
  }
}
