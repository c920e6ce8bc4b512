/**
 * The byte layer of the Raft transport: the stream's magic and the frame
 * header. Frames and handshake messages are read out of the stream by the
 * shared FrameReader (runtime/frame-reader.ts).
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
