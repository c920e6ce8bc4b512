/**
 * Bounds-checked reads of integers, floats, byte runs and UTF-8 over a range
 * of a byte array, big-endian unless asked for little-endian. Shared by the
 * membership codec, the Raft wire codec and the WAL payloads. A read that
 * does not fit throws only what the codec's `ReadError` makes, naming the
 * field and the byte offset, so each codec keeps its own error type.
 */

/** Makes the error a codec throws: `what` names the field and the fault; `offset` is where in the bytes it was found; `short` is set for a truncated read. */
export type ReadError = (what: string, offset: number, short?: ShortRead) => Error;

/** A read past the end: how many bytes it needed, how many were left. */
export interface ShortRead {
  readonly needs: number;
  readonly left: number;
}

export interface ReadRange {
  /** First byte to read. Default 0. */
  readonly start?: number;
  /** Byte after the last one to read. Default the array's length. */
  readonly end?: number;
  /** Multi-byte integers and floats little-endian. Default false (big-endian). */
  readonly littleEndian?: boolean;
}

/** `fatal` rejects invalid UTF-8 (overlongs, surrogates); `ignoreBOM` keeps a leading U+FEFF, so every string round-trips. */
const UTF8_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class ByteReader {
  /** The input as a DataView, for subclasses that read several words of one field. */
  protected readonly data: DataView;
  private pos: number;
  /** Byte after the last one this reader may read. */
  readonly end: number;
  private readonly le: boolean;

  constructor(
    protected readonly input: Uint8Array,
    private readonly error: ReadError,
    range: ReadRange = {},
  ) {
    this.data = new DataView(input.buffer, input.byteOffset, input.byteLength);
    this.pos = range.start ?? 0;
    this.end = range.end ?? input.length;
    this.le = range.littleEndian ?? false;
  }

  /** Offset of the next byte to read. */
  get offset(): number {
    return this.pos;
  }
  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws the codec's error for `what`, found at `at` (default: the next byte). */
  fail(what: string, at: number = this.pos): never {
    throw this.error(what, at);
  }

  /** Moves past `n` bytes and returns where they start; fails as truncated when fewer are left. */
  take(n: number, field: string): number {
    const left = this.end - this.pos;
    if (n > left) throw this.error(`${field}: truncated, needs ${n} bytes, ${left} left`, this.pos, { needs: n, left });
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(field: string): number {
    return this.data.getUint8(this.take(1, field));
  }
  u16(field: string): number {
    return this.data.getUint16(this.take(2, field), this.le);
  }
  u32(field: string): number {
    return this.data.getUint32(this.take(4, field), this.le);
  }
  i32(field: string): number {
    return this.data.getInt32(this.take(4, field), this.le);
  }
  f32(field: string): number {
    return this.data.getFloat32(this.take(4, field), this.le);
  }
  /** A u64 as a bigint (callers decide what range they accept). */
  u64(field: string): bigint {
    return this.data.getBigUint64(this.take(8, field), this.le);
  }

  /** The next `n` bytes as a view of the array (it aliases the input). */
  view(n: number, field: string): Uint8Array {
    const at = this.take(n, field);
    return this.input.subarray(at, at + n);
  }
  /** The next `n` bytes, copied (the result never aliases the input). */
  copy(n: number, field: string): Uint8Array {
    const at = this.take(n, field);
    return this.input.slice(at, at + n);
  }
  /** The next `n` bytes as UTF-8; fails at their start when they are not well-formed. */
  utf8(n: number, field: string): string {
    const at = this.take(n, field);
    try {
      return UTF8_DECODER.decode(this.input.subarray(at, at + n));
    } catch {
      return this.fail(`${field}: invalid UTF-8`, at);
    }
  }
  /** A reader of the next `n` bytes with the same error and byte order; this one moves past them. */
  sub(n: number, field: string): ByteReader {
    const at = this.take(n, field);
    return new ByteReader(this.input, this.error, { start: at, end: at + n, littleEndian: this.le });
  }
  /** Fails unless every byte up to `end` was read. */
  done(field: string): void {
    if (this.pos !== this.end) this.fail(`${field}: ${this.end - this.pos} trailing bytes`);
  }
}
