/**
 * Snapshots travel in chunks, one at a time: the leader sends the chunk at
 * the offset the follower last asked for; the follower appends chunks that
 * arrive in order, re-acknowledges duplicates, and rejects a chunk past a gap
 * or of another snapshot (the leader then starts over).
 */
import type { Snapshot, SnapshotMeta } from './types.js';

/** The bytes [offset, offset + chunkBytes) of `snapshot` (fewer at its end). */
export function chunkOf(snapshot: Snapshot, offset: number, chunkBytes: number): Uint8Array {
  return snapshot.data.subarray(offset, Math.min(snapshot.data.length, offset + chunkBytes));
}

export type ChunkOutcome =
  /** Keep going: `offset` is the next byte wanted. */
  | { readonly kind: 'progress'; readonly offset: number }
  /** Out of order or foreign: start over from byte 0. */
  | { readonly kind: 'reject' }
  | { readonly kind: 'complete'; readonly snapshot: Snapshot };

function sameSnapshot(a: SnapshotMeta, b: SnapshotMeta): boolean {
  return a.index === b.index && a.term === b.term;
}

/** Reassembles one incoming snapshot from its chunks. */
export class SnapshotAssembler {
  private current: { meta: SnapshotMeta; size: number; parts: Uint8Array[]; offset: number } | null = null;

  receive(meta: SnapshotMeta, size: number, offset: number, chunk: Uint8Array): ChunkOutcome {
    const restart = offset === 0 && !(this.current && sameSnapshot(this.current.meta, meta) && this.current.size === size);
    if (restart) this.current = { meta, size, parts: [], offset: 0 };
    const current = this.current;
    if (!current || !sameSnapshot(current.meta, meta) || current.size !== size) return this.reject();
    if (offset < current.offset) return { kind: 'progress', offset: current.offset };
    if (offset > current.offset || offset + chunk.length > size) return this.reject();
    current.parts.push(chunk.slice());
    current.offset += chunk.length;
    if (current.offset < size) return { kind: 'progress', offset: current.offset };
    this.current = null;
    return { kind: 'complete', snapshot: { meta, data: concat(current.parts, size) } };
  }

  /** Forgets a partial snapshot (a new leader or term will send its own). */
  reset(): void {
    this.current = null;
  }

  private reject(): ChunkOutcome {
    this.current = null;
    return { kind: 'reject' };
  }
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
