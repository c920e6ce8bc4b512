/**
 * The byte layer of the Raft transport: the stream's magic, and a queue of
 * received chunks that hands out whole pieces (a handshake message, a frame)
 * however TCP split them. Taking n bytes copies at most once and only when
 * they span chunks, so a frame that arrives in thousands of small chunks
 * costs O(frame), not O(frame x chunks).
 */

/**
 * What an outbound Raft connection writes first: ASCII "DRFT" and 0x01. No
 * HTTP request can start with it (methods are letters then a space), so a
 * listener shared with HTTP can tell the two apart from the first 5 bytes.
 * It never changes; versions are negotiated in the hello that follows.
 */
export const RAFT_MAGIC: Uint8Array = Uint8Array.of(0x44, 0x52, 0x46, 0x54, 0x01);

/** Bytes of a frame's length prefix (u32 big-endian). */
export const FRAME_HEADER_BYTES = 4;

/** Returns true when `head` starts with RAFT_MAGIC (false when it is shorter). */
export function startsWithMagic(head: Uint8Array): boolean {
  if (head.length < RAFT_MAGIC.length) return false;
  for (let i = 0; i < RAFT_MAGIC.length; i++) if (head[i] !== RAFT_MAGIC[i]) return false;
  return true;
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
