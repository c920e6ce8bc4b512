/**
 * Seals and opens whole membership frames (UDP packets, discovery
 * announcements, push-pull streams) with AES-256-GCM, the cluster name bound
 * in as associated data, so a frame of another cluster or a tampered one
 * never opens. Several keys make rotation possible: the first seals, every
 * one is tried to open.
 *
 * A sealed frame is `"DE" (0x44 0x45) | version 2 | 12-byte nonce | ciphertext | 16-byte tag`,
 * the ciphertext holding the sender's clock (u64 ms since the epoch) and
 * then the frame, so the time is authenticated with it: the receiver drops
 * frames outside its replay window and repeats of a nonce (replay-guard.ts).
 * Plain frames must therefore never start with "DE"; an agent without keys
 * takes such a frame for an encrypted peer it cannot read.
 *
 * Nonces are random (96 bits), as in memberlist: rotate a key long before
 * 2^32 frames have been sealed with it across the whole cluster.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const MAGIC_0 = 0x44; // 'D'
const MAGIC_1 = 0x45; // 'E'
/** Version of the sealed-frame layout; on the wire: append only (1: no sender time; 2: sender time inside). */
const VERSION = 2;
const HEADER_BYTES = 3;
const NONCE_BYTES = 12;
const TIME_BYTES = 8;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const SEAL_OVERHEAD = HEADER_BYTES + NONCE_BYTES + TIME_BYTES + TAG_BYTES;

/**
 * Why `open` refused a frame; the caller counts drops by it.
 * - `unencrypted`: this ring has keys and the frame is not sealed (a peer without `encrypt_key`).
 * - `decrypt`: a sealed frame that no key opens: another key, another cluster, tampered or truncated.
 * - `seal-version`: a sealed frame of a layout this agent does not know (an older or newer agent).
 * - `not-encrypted-expected`: this ring has no keys and the frame is sealed (a peer with `encrypt_key`).
 */
export type DropReason = 'unencrypted' | 'decrypt' | 'seal-version' | 'not-encrypted-expected';

/**
 * What `open` makes of a frame: its plaintext, or why it was dropped. Test
 * with `'dropped' in result`. A sealed frame also gives its sender's clock
 * (`sentAt`, ms since the epoch) and its nonce, both authenticated, for the
 * replay guard; a plain frame (no keys) has neither.
 */
export type Opened =
  | { readonly plain: Uint8Array; readonly sentAt?: number; readonly nonce?: Uint8Array }
  | { readonly dropped: DropReason };

export class Keyring {
  private readonly keys: readonly Buffer[];
  private readonly aad: Buffer;

  /**
   * `keys`: base64 32-byte keys; the first seals, all are tried to open. An
   * empty list means no encryption: frames pass through unchanged. Throws a
   * RangeError naming the position of a key that is not 32 bytes of base64.
   */
  constructor(keys: readonly string[], clusterName: string) {
    this.keys = keys.map((k, i) => {
      const bytes = Buffer.from(k, 'base64');
      if (bytes.length !== KEY_BYTES || bytes.toString('base64') !== k) throw new RangeError(`key ${i + 1} must be 32 bytes in base64`);
      return bytes;
    });
    this.aad = Buffer.from(clusterName, 'utf8');
  }

  get encrypted(): boolean {
    return this.keys.length > 0;
  }

  /** Bytes `seal` adds to a frame: 0 without keys, else 39 (header 3, nonce 12, sender time 8, tag 16). */
  get overhead(): number {
    return this.encrypted ? SEAL_OVERHEAD : 0;
  }

  /**
   * The frame sealed with the first key under a fresh random nonce, stamped
   * with `nowMs` (the sender's clock, ms since the epoch; default now);
   * `plain` itself without keys.
   */
  seal(plain: Uint8Array, nowMs: number = Date.now()): Uint8Array {
    const key = this.keys[0];
    if (key === undefined) return plain;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad);
    const time = Buffer.alloc(TIME_BYTES);
    time.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(nowMs))));
    const head = cipher.update(time);
    const body = cipher.update(plain);
    const last = cipher.final();
    return Buffer.concat([Buffer.from([MAGIC_0, MAGIC_1, VERSION]), nonce, head, body, last, cipher.getAuthTag()]);
  }

  /** The plaintext of `frame`, or the reason it is dropped; never throws. */
  open(frame: Uint8Array): Opened {
    const sealed = frame.length >= 2 && frame[0] === MAGIC_0 && frame[1] === MAGIC_1;
    if (!this.encrypted) return sealed ? { dropped: 'not-encrypted-expected' } : { plain: frame };
    if (!sealed) return { dropped: 'unencrypted' };
    if (frame.length < HEADER_BYTES) return { dropped: 'decrypt' };
    if (frame[2] !== VERSION) return { dropped: 'seal-version' };
    if (frame.length < SEAL_OVERHEAD) return { dropped: 'decrypt' };
    const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    const nonce = bytes.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
    const body = bytes.subarray(HEADER_BYTES + NONCE_BYTES, bytes.length - TAG_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    for (const key of this.keys) {
      const opened = tryOpen(key, nonce, body, tag, this.aad);
      if (opened === null) continue;
      // A time past 2^53 ms cannot be compared exactly; no clock is there, so it is as good as stale (0).
      const time = opened.readBigUInt64BE(0);
      const sentAt = time > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(time);
      return { plain: opened.subarray(TIME_BYTES), sentAt, nonce };
    }
    return { dropped: 'decrypt' };
  }
}

function tryOpen(key: Buffer, nonce: Buffer, body: Buffer, tag: Buffer, aad: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const head = decipher.update(body);
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return null;
  }
}
