/**
 * The primitives of the Raft wire codec (docs/raft.md, "Wire format"): the
 * shared big-endian writer and reader (core/bytes) with the Raft field types
 * on top; the writer refuses values the wire cannot carry, and every failure
 * of the reader is a RaftDecodeError naming the field and byte offset.
 */
import { ByteReader } from '../bytes/reader.js';
import { ByteWriter } from '../bytes/writer.js';

const TWO_32 = 2 ** 32;
/** Largest high word of a u53: (2^53 - 1) / 2^32, rounded down. */
const U53_HIGH_MAX = 0x1fffff;

const UTF8_ENCODER = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why a frame was refused: what was wrong, and the byte offset in the frame where it was found. */
export class RaftDecodeError extends Error {
  constructor(
    readonly offset: number,
    readonly what: string,
  ) {
    super(`${what} at byte ${offset}`);
  }
}

function refuse(field: string, what: string): RangeError {
  return new RangeError(`raft codec: ${field} ${what}`);
}

/** The shared writer plus the Raft wire's field types; throws RangeError for a value out of its field's bounds. */
export class RaftWriter extends ByteWriter {
  /** An integer 0..2^53-1 as two u32: high word (at most 0x1FFFFF), then low word. */
  u53(v: number, field: string): void {
    if (!Number.isSafeInteger(v) || v < 0) throw refuse(field, `must be an integer 0..2^53-1, got ${v}`);
    this.u32(Math.floor(v / TWO_32));
    this.u32(v % TWO_32);
  }
  /** An integer -(2^53-1)..2^53-1 as 64-bit two's complement: high word (signed), then low word. */
  i53(v: number, field: string): void {
    if (!Number.isSafeInteger(v)) throw refuse(field, `must be an integer -(2^53-1)..2^53-1, got ${v}`);
    const high = Math.floor(v / TWO_32);
    this.i32(high);
    this.u32(v - high * TWO_32);
  }
  bool(v: boolean): void {
    this.u8(v ? 1 : 0);
  }
  /** A count of what follows, as a u32 (encoders pass lengths they checked). */
  count(n: number, max: number, field: string): void {
    if (n > max) throw refuse(field, `may hold at most ${max}, got ${n}`);
    this.u32(n);
  }
  /** A u32 byte length, then the bytes. */
  bytes(b: Uint8Array, max: number, field: string): void {
    this.count(b.length, max, field);
    this.raw(b);
  }
  /** UTF-8 with a length prefix of `prefixBytes` (1 or 2), `min..max` bytes long. */
  string(s: string, min: number, max: number, prefixBytes: 1 | 2, field: string): void {
    if (LONE_SURROGATE.test(s)) throw refuse(field, 'is not well-formed Unicode (lone surrogate)');
    const b = UTF8_ENCODER.encode(s);
    if (b.length < min || b.length > max) throw refuse(field, `must be ${min}..${max} bytes of UTF-8, got ${b.length}`);
    if (prefixBytes === 1) this.u8(b.length);
    else this.u16(b.length);
    this.raw(b);
  }
}

/** The shared reader plus the Raft wire's field types, over `[0, end)` of a frame; every failure throws RaftDecodeError with the offset. */
export class RaftReader extends ByteReader {
  constructor(frame: Uint8Array, end: number) {
    super(frame, (what, offset) => new RaftDecodeError(offset, what), { end });
  }

  u53(field: string): number {
    const at = this.take(8, field);
    const high = this.data.getUint32(at);
    if (high > U53_HIGH_MAX) this.fail(`${field}: high word 0x${high.toString(16)} is over 2^53-1`, at);
    return high * TWO_32 + this.data.getUint32(at + 4);
  }
  i53(field: string): number {
    const at = this.take(8, field);
    const v = this.data.getInt32(at) * TWO_32 + this.data.getUint32(at + 4);
    if (!Number.isSafeInteger(v)) this.fail(`${field}: ${v} is outside -(2^53-1)..2^53-1`, at);
    return v;
  }
  bool(field: string): boolean {
    const at = this.offset;
    const v = this.u8(field);
    if (v > 1) this.fail(`${field}: boolean must be 0 or 1, got ${v}`, at);
    return v === 1;
  }
  /**
   * A u32 count of what follows, at most `max` and at most what the remaining
   * bytes could hold at `minItemBytes` each (so a lie fails before any item is read).
   */
  count(max: number, minItemBytes: number, field: string): number {
    const at = this.offset;
    const n = this.u32(field);
    if (n > max) this.fail(`${field}: count ${n} is over the limit ${max}`, at);
    if (n * minItemBytes > this.remaining) this.fail(`${field}: count ${n} cannot fit in the ${this.remaining} bytes left`, at);
    return n;
  }
  /** A u32 byte length, then that many bytes, copied (the result never aliases the frame). */
  bytes(max: number, field: string): Uint8Array {
    return this.copy(this.count(max, 1, field), field);
  }
  /** UTF-8 with a length prefix of `prefixBytes` (1 or 2), `min..max` bytes long. */
  string(min: number, max: number, prefixBytes: 1 | 2, field: string): string {
    const at = this.offset;
    const n = prefixBytes === 1 ? this.u8(field) : this.u16(field);
    if (n < min || n > max) this.fail(`${field}: length ${n} is outside ${min}..${max}`, at);
    return this.utf8(n, field);
  }
}
