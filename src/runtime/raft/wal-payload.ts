/**
 * Payloads of the WAL's records, all integers little-endian, numbers as u64:
 *
 *   HardState       term u64, commit u64, hasVote u8, vote utf8 (rest)
 *   Entry           term u64, index u64, kind u8 (0 normal, 1 config), then
 *                     normal: data (rest); config: change u8 (0 add-learner, 1 promote, 2 remove), node utf8 (rest)
 *   SnapshotMarker  index u64, term u64, mode u8 (0 install: replaces the log; 1 compact: keeps the entries after it)
 *   Snapshot        index u64, term u64, voters, learners (each: count u32, then per id: length u32, utf8), data (rest)
 *
 * Decoding throws PayloadError on bytes that do not fit the shape.
 */
import { ByteReader, type ShortRead } from '../../core/bytes/reader.js';
import { ByteWriter } from '../../core/bytes/writer.js';
import type { ConfChange, Entry, HardState, Snapshot } from '../../core/raft/types.js';

export class PayloadError extends Error {}

/** How a snapshot marker treats the entries stored before it. */
export type MarkerMode = 'install' | 'compact';
export interface SnapshotMarker {
  readonly index: number;
  readonly term: number;
  readonly mode: MarkerMode;
}

const CHANGE_TYPES: readonly ConfChange['type'][] = ['add-learner', 'promote', 'remove']; // on disk: append only
const utf8 = new TextEncoder();
const MAX_U53 = BigInt(Number.MAX_SAFE_INTEGER);

/** A writer of the payloads' byte order, sized for `bytes` beyond the fixed fields (UTF-8 takes at most 3 bytes per UTF-16 unit). */
const writer = (bytes = 0): ByteWriter => new ByteWriter(true, 32 + bytes);

function putStrings(w: ByteWriter, list: readonly string[]): void {
  w.u32(list.length);
  for (const s of list) {
    const b = utf8.encode(s);
    w.u32(b.length);
    w.raw(b);
  }
}

/** A reader of the payloads' byte order whose every fault is a PayloadError. */
function reader(b: Uint8Array): ByteReader {
  return new ByteReader(b, payloadError, { littleEndian: true });
}

function payloadError(what: string, offset: number, short?: ShortRead): PayloadError {
  return new PayloadError(short ? `payload too short: needs ${offset + short.needs} bytes, has ${offset + short.left}` : what);
}

function getU64(r: ByteReader, field: string): number {
  const at = r.offset;
  const n = r.u64(field);
  if (n > MAX_U53) r.fail(`number ${n} is beyond 2^53`, at);
  return Number(n);
}

function getStrings(r: ByteReader, field: string): string[] {
  const count = r.u32(`${field} count`);
  return Array.from({ length: count }, () => r.utf8(r.u32(`${field} length`), field));
}

/** The bytes after the last field, copied. */
const rest = (r: ByteReader, field: string): Uint8Array => r.copy(r.remaining, field);
const restString = (r: ByteReader, field: string): string => r.utf8(r.remaining, field);

export function encodeHardState(hs: HardState): Uint8Array {
  const w = writer();
  w.u64(hs.term);
  w.u64(hs.commit);
  w.u8(hs.vote === null ? 0 : 1);
  w.raw(utf8.encode(hs.vote ?? ''));
  return w.finish();
}

export function decodeHardState(b: Uint8Array): HardState {
  const r = reader(b);
  const term = getU64(r, 'term');
  const commit = getU64(r, 'commit');
  const hasVote = r.u8('hasVote') === 1;
  const vote = restString(r, 'vote');
  return { term, vote: hasVote ? vote : null, commit };
}

export function encodeEntry(e: Entry): Uint8Array {
  const w = writer(e.kind === 'normal' ? e.data.length : 3 * e.change.node.length);
  w.u64(e.term);
  w.u64(e.index);
  if (e.kind === 'normal') {
    w.u8(0);
    w.raw(e.data);
  } else {
    w.u8(1);
    w.u8(CHANGE_TYPES.indexOf(e.change.type));
    w.raw(utf8.encode(e.change.node));
  }
  return w.finish();
}

export function decodeEntry(b: Uint8Array): Entry {
  const r = reader(b);
  const term = getU64(r, 'term');
  const index = getU64(r, 'index');
  const kind = r.u8('kind');
  if (kind === 0) return { term, index, kind: 'normal', data: rest(r, 'data') };
  if (kind !== 1) throw new PayloadError(`unknown entry kind ${kind}`);
  const type = CHANGE_TYPES[r.u8('change')];
  if (type === undefined) throw new PayloadError('unknown conf change type');
  return { term, index, kind: 'config', change: { type, node: restString(r, 'node') } };
}

export function encodeMarker(m: SnapshotMarker): Uint8Array {
  const w = writer();
  w.u64(m.index);
  w.u64(m.term);
  w.u8(m.mode === 'install' ? 0 : 1);
  return w.finish();
}

export function decodeMarker(b: Uint8Array): SnapshotMarker {
  const r = reader(b);
  const index = getU64(r, 'index');
  const term = getU64(r, 'term');
  const mode = r.u8('mode');
  if (mode > 1) throw new PayloadError(`unknown snapshot marker mode ${mode}`);
  return { index, term, mode: mode === 0 ? 'install' : 'compact' };
}

export function encodeSnapshot(s: Snapshot): Uint8Array {
  const ids = [...s.meta.conf.voters, ...s.meta.conf.learners];
  const w = writer(s.data.length + ids.reduce((n, id) => n + 4 + 3 * id.length, 0));
  w.u64(s.meta.index);
  w.u64(s.meta.term);
  putStrings(w, s.meta.conf.voters);
  putStrings(w, s.meta.conf.learners);
  w.raw(s.data);
  return w.finish();
}

export function decodeSnapshot(b: Uint8Array): Snapshot {
  const r = reader(b);
  const index = getU64(r, 'index');
  const term = getU64(r, 'term');
  const voters = getStrings(r, 'voters');
  const learners = getStrings(r, 'learners');
  return { meta: { index, term, conf: { voters, learners } }, data: rest(r, 'data') };
}
