/**
 * Length-prefixed frames out of a TCP byte stream, however it was split: a
 * big-endian u16 or u32 length, the payload, and optionally a trailer of a
 * fixed size (a MAC). Used by both TCP streams, membership push-pull and the
 * Raft transport. Taking n bytes copies at most once and only when they span
 * chunks, so a frame that arrives in thousands of small chunks costs
 * O(frame), not O(frame x chunks); memory held never exceeds the bytes
 * received.
 */

/** How the next frame is laid out and what length it may announce. */
export interface FrameSpec {
  /** Bytes of the length prefix, a big-endian u16 or u32. */
  readonly prefixBytes: 2 | 4;
  /** Fewest payload bytes a frame may announce. Default 0. */
  readonly minBytes?: number;
  /** Most payload bytes a frame may announce. */
  readonly maxBytes: number;
  /** Bytes after the payload that belong to the frame (a MAC). Default 0. */
  readonly trailerBytes?: number;
}

/** A whole frame: its length prefix, payload and trailer, each a view of the received chunk or one copy. */
export interface Frame {
  readonly header: Buffer;
  readonly payload: Buffer;
  readonly trailer: Buffer;
}

/** The length a frame announced when it is outside the spec's bounds; nothing was consumed. */
export interface RefusedFrame {
  readonly refused: number;
}

export class FrameReader {
  private readonly queue = new ByteQueue();

  /** Bytes received and not yet taken as frames. */
  get length(): number {
    return this.queue.length;
  }

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  /**
   * Takes the next frame once it is whole. Returns undefined while more bytes
   * are needed, and `{ refused }` as soon as the prefix announces a length
   * outside minBytes..maxBytes (before the payload arrives).
   */
  next(spec: FrameSpec): Frame | RefusedFrame | undefined {
    const length = this.queue.peekUInt(spec.prefixBytes);
    if (length === undefined) return undefined;
    if (length < (spec.minBytes ?? 0) || length > spec.maxBytes) return { refused: length };
    const trailerBytes = spec.trailerBytes ?? 0;
    if (this.queue.length < spec.prefixBytes + length + trailerBytes) return undefined;
    const header = this.queue.read(spec.prefixBytes);
    const payload = this.queue.read(length);
    return { header, payload, trailer: this.queue.read(trailerBytes) };
  }

  /** Drops everything held. */
  clear(): void {
    this.queue.clear();
  }
}

/** Received bytes not yet consumed, as the chunks they arrived in. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Bytes of chunks[0] already consumed. */
  private offset = 0;
  private size = 0;

  /** Bytes held. */
  get length(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Reads a big-endian u16 or u32 at the front without consuming it; undefined when fewer bytes are held. */
  peekUInt(bytes: 2 | 4): number | undefined {
    if (this.size < bytes) return undefined;
    let v = 0;
    let chunk = 0;
    let at = this.offset;
    for (let i = 0; i < bytes; i++) {
      let c = this.chunks[chunk] as Buffer;
      while (at >= c.length) {
        chunk++;
        at = 0;
        c = this.chunks[chunk] as Buffer;
      }
      v = v * 256 + (c[at] as number);
      at++;
    }
    return v;
  }

  /** Drops `n` bytes from the front (n <= length). */
  skip(n: number): void {
    this.take(n, false);
  }

  /**
   * Removes and returns the first `n` bytes (n <= length): a view of the
   * chunk when they lie in one, else one copy.
   */
  read(n: number): Buffer {
    return this.take(n, true) as Buffer;
  }

  /** Drops everything held. */
  clear(): void {
    this.chunks = [];
    this.offset = 0;
    this.size = 0;
  }

  private take(n: number, keep: boolean): Buffer | undefined {
    if (n > this.size) throw new RangeError(`ByteQueue: ${n} bytes wanted, ${this.size} held`);
    this.size -= n;
    const first = this.chunks[0];
    if (first !== undefined && first.length - this.offset >= n) {
      const out = keep ? first.subarray(this.offset, this.offset + n) : undefined;
      this.offset += n;
      if (this.offset === first.length) {
        this.chunks.shift();
        this.offset = 0;
      }
      return out;
    }
    const out = keep ? Buffer.allocUnsafe(n) : undefined;
    let filled = 0;
    let used = 0;
    while (filled < n) {
      const c = this.chunks[used] as Buffer;
      const part = Math.min(c.length - this.offset, n - filled);
      if (out) c.copy(out, filled, this.offset, this.offset + part);
      filled += part;
      if (this.offset + part === c.length) {
        used++;
        this.offset = 0;
      } else {
        this.offset += part;
      }
    }
    this.chunks.splice(0, used);
    return out;
  }
}
