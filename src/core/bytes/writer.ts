/**
 * A byte buffer that grows as it is written, big-endian unless made
 * little-endian. Shared by the membership and Raft wire codecs and the WAL
 * payloads; the pair of `ByteReader` (reader.ts).
 */
import { crc32 } from '../crc32.js';

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private written = 0;

  /**
   * `littleEndian`: multi-byte integers and floats little-endian (the WAL);
   * default false, big-endian (the wires). `capacity`: bytes to start with,
   * so a writer told the size never copies while growing. Default 256.
   */
  constructor(
    private readonly le = false,
    capacity = 256,
  ) {
    this.buf = new Uint8Array(Math.max(capacity, 1));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.written;
  }

  /** Makes room for `n` more bytes and returns where they start; may replace buf and view, so call it before using either. */
  private room(n: number): number {
    const at = this.written;
    if (at + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      next.set(this.buf.subarray(0, at));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.written = at + n;
    return at;
  }

  u8(v: number): void {
    const at = this.room(1);
    this.view.setUint8(at, v);
  }
  u16(v: number): void {
    const at = this.room(2);
    this.view.setUint16(at, v, this.le);
  }
  u32(v: number): void {
    const at = this.room(4);
    this.view.setUint32(at, v, this.le);
  }
  i32(v: number): void {
    const at = this.room(4);
    this.view.setInt32(at, v, this.le);
  }
  f32(v: number): void {
    const at = this.room(4);
    this.view.setFloat32(at, v, this.le);
  }
  /** An integer 0..2^53-1 as a u64 (callers pass values they checked). */
  u64(v: number): void {
    const at = this.room(8);
    this.view.setBigUint64(at, BigInt(v), this.le);
  }
  /** The bytes as they are, with no length prefix. */
  raw(b: Uint8Array): void {
    const at = this.room(b.length);
    this.buf.set(b, at);
  }

  /** A copy of everything written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.written);
  }

  /** Appends the CRC-32 of everything written so far and returns a copy of the whole. */
  finishWithCrc(): Uint8Array {
    this.u32(crc32(this.buf, 0, this.written));
    return this.finish();
  }
}
