/**
 * Admits each authenticated sealed frame at most once. A frame whose sender
 * time lies outside ±window of this agent's clock is `stale`; inside the
 * window, a nonce already seen is a `replay`. Nonces are random (96 bits), so
 * two real frames never share one.
 *
 * Memory is bounded: at most `capacity` nonces are kept. When one must be
 * forgotten to make room (the one stamped earliest, so that a peer whose
 * clock runs ahead cannot push the floor past the others' frames), the guard
 * raises a floor to its sender time and from then on refuses as `stale` every frame stamped at
 * or before the floor, so a forgotten nonce can never be replayed: under a
 * flood of real traffic the window shrinks instead of letting replays in.
 * Frames that fail to authenticate never reach the guard, so an attacker
 * without the key cannot fill it.
 *
 * The floor starts at the guard's creation (the agent's start), so frames
 * captured before a restart are not admitted after it; the price is that a
 * peer whose clock lags this agent's by s ms is not heard for the first s ms.
 *
 * Pure: the caller passes the clock. Used for every sealed frame, UDP,
 * multicast and TCP push-pull alike.
 */

import { EventQueue } from '../../core/event-queue.js';

export type ReplayVerdict = 'ok' | 'stale' | 'replay';

/** Nonces kept by default: about 2,000 frames a second over a 30 s window, some 6 MB at most. */
export const DEFAULT_REPLAY_CAPACITY = 65_536;

export class ReplayGuard {
  /** The nonces held (as latin1 strings). */
  private readonly seen = new Set<string>();
  /** The same nonces by sender time, earliest first. */
  private readonly byTime = new EventQueue<string>();
  private floor: number;

  constructor(
    startedAt: number,
    private readonly capacity: number = DEFAULT_REPLAY_CAPACITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`replay guard capacity must be a positive integer, got ${capacity}`);
    this.floor = startedAt;
  }

  /** Nonces held now; never more than the capacity. */
  get size(): number {
    return this.seen.size;
  }

  /**
   * Whether to accept a frame with this `nonce`, stamped `sentAt` by its
   * sender, at `now` with a window of ±`windowMs`; remembers it when `ok`.
   */
  admit(nonce: Uint8Array, sentAt: number, now: number, windowMs: number): ReplayVerdict {
    this.forgetExpired(now, windowMs);
    if (sentAt < now - windowMs || sentAt > now + windowMs || sentAt <= this.floor) return 'stale';
    const key = Buffer.from(nonce.buffer, nonce.byteOffset, nonce.byteLength).toString('latin1');
    if (this.seen.has(key)) return 'replay';
    if (this.seen.size >= this.capacity) this.forgetEarliest();
    this.seen.add(key);
    this.byTime.push(sentAt, key);
    return 'ok';
  }

  /** Drops the nonces whose time is out of the window (they would be stale anyway). */
  private forgetExpired(now: number, windowMs: number): void {
    while (this.byTime.size > 0 && (this.byTime.peekTime() as number) < now - windowMs) this.forgetEarliest();
  }

  /** Forgets the earliest-stamped nonce; what is forgotten stays refused (also should the window grow on a reload). */
  private forgetEarliest(): void {
    const earliest = this.byTime.pop();
    if (earliest === undefined) return;
    this.seen.delete(earliest.item);
    this.floor = Math.max(this.floor, earliest.at);
  }
}
