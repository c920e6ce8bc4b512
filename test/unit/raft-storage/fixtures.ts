/** Entries and snapshots for the storage tests. */
import type { Entry, Snapshot } from '../../../src/core/raft/types.js';

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Normal entries `from..to` at `term`, each carrying `<label>:<index>`. */
export function entries(from: number, to: number, term: number, label = 'e'): Entry[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({ term, index: from + i, kind: 'normal' as const, data: bytes(`${label}:${from + i}`) }));
}

export function snapshot(index: number, term: number, data = `state@${index}`): Snapshot {
  return { meta: { index, term, conf: { voters: ['n1', 'n2', 'n3'], learners: ['n4'] } }, data: bytes(data) };
}
