/**
 * The one way into the membership of every frame that arrives (UDP gossip,
 * multicast discovery, TCP push-pull): open it with the key ring, admit it
 * past the replay guard when sealed, decode it. Returns the messages or the
 * one reason it is dropped; never throws.
 */
import { decodePacket, type DropReason as CodecDropReason } from '../../core/membership/codec.js';
import type { PacketMessage } from '../../core/membership/messages.js';
import type { DropReason as SealDropReason, Keyring } from './keyring.js';
import type { ReplayGuard, ReplayVerdict } from './replay-guard.js';

/** Every reason a frame is dropped, as counted in `dinc_gossip_dropped_total{reason}`. */
export type InboundDropReason = SealDropReason | Exclude<ReplayVerdict, 'ok'> | CodecDropReason;

export type OpenedFrame = { readonly plain: Uint8Array } | { readonly dropped: InboundDropReason };

/** The plaintext of a frame (sealed, or plain without keys), or why it is dropped; admits a sealed frame to `guard` at `now`. */
export function openFrame(bytes: Uint8Array, keyring: Keyring, guard: ReplayGuard, now: number, windowMs: number): OpenedFrame {
  const opened = keyring.open(bytes);
  if ('dropped' in opened) return opened;
  if (opened.sentAt !== undefined && opened.nonce !== undefined) {
    const verdict = guard.admit(opened.nonce, opened.sentAt, now, windowMs);
    if (verdict !== 'ok') return { dropped: verdict };
  }
  return { plain: opened.plain };
}

/** The messages of one datagram, or why it is dropped (with its plaintext when it opened, to name a foreign cluster). */
export function readDatagram(
  bytes: Uint8Array,
  ctx: { readonly keyring: Keyring; readonly guard: ReplayGuard; readonly tag: number; readonly now: number; readonly windowMs: number },
): { readonly messages: PacketMessage[] } | { readonly dropped: InboundDropReason; readonly plain?: Uint8Array } {
  const opened = openFrame(bytes, ctx.keyring, ctx.guard, ctx.now, ctx.windowMs);
  if ('dropped' in opened) return opened;
  const decoded = decodePacket(opened.plain, ctx.tag);
  return decoded.ok ? { messages: decoded.value } : { dropped: decoded.reason, plain: opened.plain };
}
