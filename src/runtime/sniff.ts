/**
 * Telling a new TCP connection's protocol from its first bytes: the Raft
 * role's shared port hands a connection that starts with the Raft magic to
 * the transport and any other to HTTP. The test harness of the transport
 * uses the same code.
 */
import type { Socket } from 'node:net';

/** What the bytes so far say: they start with `magic`, cannot, or match it as far as they go. */
export type Sniffed = 'magic' | 'other' | 'more';

/** Compares `head` with `magic`; decides as soon as one byte differs, waits while `head` is a proper prefix of it. */
export function sniff(head: Uint8Array, magic: Uint8Array): Sniffed {
  const n = Math.min(head.length, magic.length);
  for (let i = 0; i < n; i++) if (head[i] !== magic[i]) return 'other';
  return head.length < magic.length ? 'more' : 'magic';
}

/**
 * Reads `socket` until its first bytes tell whether it starts with `magic`,
 * then stops reading, pauses it and calls `decided` once with every byte
 * read so far (put them back with `socket.unshift` to hand it elsewhere).
 * Never called for a connection that closes first; timing out is the caller's.
 */
export function sniffConnection(socket: Socket, magic: Uint8Array, decided: (isMagic: boolean, head: Buffer) => void): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const verdict = sniff(head, magic);
    if (verdict === 'more') return;
    socket.off('data', onData);
    socket.pause();
    decided(verdict === 'magic', head);
  };
  socket.on('data', onData);
}
