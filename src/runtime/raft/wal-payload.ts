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
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

class Writer {
  private readonly parts: Uint8Array[] = [];
  u8(n: number): this {
    this.parts.push(Uint8Array.of(n));
    return this;
  }
  u32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    this.parts.push(b);
    return this;
  }
  u64(n: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
    this.parts.push(b);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }
  strings(list: readonly string[]): this {
    this.u32(list.length);
    for (const s of list) {
      const b = utf8.encode(s);
      this.u32(b.length).bytes(b);
    }
    return this;
  }
  done(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

class Reader {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number): number {
    if (this.at + n > this.b.length) throw new PayloadError(`payload too short: needs ${this.at + n} bytes, has ${this.b.length}`);
    const at = this.at;
    this.at += n;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  u64(): number {
    const n = this.view.getBigUint64(this.need(8), true);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new PayloadError(`number ${n} is beyond 2^53`);
    return Number(n);
  }
  string(length: number): string {
    const at = this.need(length);
    return fromUtf8.decode(this.b.subarray(at, at + length));
  }
  strings(): string[] {
    const count = this.u32();
    return Array.from({ length: count }, () => this.string(this.u32()));
  }
  rest(): Uint8Array {
    return this.b.slice(this.need(this.b.length - this.at));
  }
  restString(): string {
    return this.string(this.b.length - this.at);
  }
}

export function encodeHardState(hs: HardState): Uint8Array {
  return new Writer()
    .u64(hs.term)
    .u64(hs.commit)
    .u8(hs.vote === null ? 0 : 1)
    .bytes(utf8.encode(hs.vote ?? ''))
    .done();
}

export function decodeHardState(b: Uint8Array): HardState {
  const r = new Reader(b);
  const term = r.u64();
  const commit = r.u64();
  const hasVote = r.u8() === 1;
  const vote = r.restString();
  return { term, vote: hasVote ? vote : null, commit };
}

export function encodeEntry(e: Entry): Uint8Array {
  const w = new Writer().u64(e.term).u64(e.index);
  if (e.kind === 'normal') return w.u8(0).bytes(e.data).done();
  return w.u8(1).u8(CHANGE_TYPES.indexOf(e.change.type)).bytes(utf8.encode(e.change.node)).done();
}

export function decodeEntry(b: Uint8Array): Entry {
  const r = new Reader(b);
  const term = r.u64();
  const index = r.u64();
  const kind = r.u8();
  if (kind === 0) return { term, index, kind: 'normal', data: r.rest() };
  if (kind !== 1) throw new PayloadError(`unknown entry kind ${kind}`);
  const type = CHANGE_TYPES[r.u8()];
  if (type === undefined) throw new PayloadError('unknown conf change type');
  return { term, index, kind: 'config', change: { type, node: r.restString() } };
}

export function encodeMarker(m: SnapshotMarker): Uint8Array {
  return new Writer()
    .u64(m.index)
    .u64(m.term)
    .u8(m.mode === 'install' ? 0 : 1)
    .done();
}

export function decodeMarker(b: Uint8Array): SnapshotMarker {
  const r = new Reader(b);
  const index = r.u64();
  const term = r.u64();
  const mode = r.u8();
  if (mode > 1) throw new PayloadError(`unknown snapshot marker mode ${mode}`);
  return { index, term, mode: mode === 0 ? 'install' : 'compact' };
}

export function encodeSnapshot(s: Snapshot): Uint8Array {
  return new Writer().u64(s.meta.index).u64(s.meta.term).strings(s.meta.conf.voters).strings(s.meta.conf.learners).bytes(s.data).done();
}

export function decodeSnapshot(b: Uint8Array): Snapshot {
  const r = new Reader(b);
  const index = r.u64();
  const term = r.u64();
  const voters = r.strings();
  const learners = r.strings();
  return { meta: { index, term, conf: { voters, learners } }, data: r.rest() };
}
