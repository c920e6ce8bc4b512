import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../src/core/raft/types.js';
import { PayloadError, decodeEntry, decodeHardState, decodeMarker, encodeEntry, encodeHardState, encodeMarker } from '../../../src/runtime/raft/wal-payload.js';
import { bytes } from './fixtures.js';

describe('WAL payloads decode to what was encoded', () => {
  it('entries of every kind and conf change type, including the empty no-op', () => {
    const list: Entry[] = [
      { term: 2 ** 40, index: Number.MAX_SAFE_INTEGER, kind: 'normal', data: bytes('data') },
      { term: 1, index: 2, kind: 'normal', data: new Uint8Array(0) },
      ...(['add-learner', 'promote', 'remove'] as const).map((type, i): Entry => ({ term: 3, index: 3 + i, kind: 'config', change: { type, node: `nœud-${i}` } })),
    ];
    for (const entry of list) expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
  });

  it('hard states with and without a vote, and markers of both modes', () => {
    for (const hs of [{ term: 5, vote: null, commit: 3 }, { term: 5, vote: '', commit: 3 }, { term: 6, vote: 'n2', commit: 4 }]) {
      expect(decodeHardState(encodeHardState(hs))).toEqual(hs);
    }
    for (const mode of ['install', 'compact'] as const) expect(decodeMarker(encodeMarker({ index: 9, term: 2, mode }))).toEqual({ index: 9, term: 2, mode });
  });

  it('a payload cut short or with an unknown kind throws PayloadError', () => {
    const entry = encodeEntry({ term: 1, index: 1, kind: 'normal', data: bytes('x') });
    expect(() => decodeEntry(entry.subarray(0, 10))).toThrow(PayloadError);
    const badKind = entry.slice();
    badKind[16] = 7;
    expect(() => decodeEntry(badKind)).toThrow(PayloadError);
  });
});
