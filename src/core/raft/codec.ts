/**
 * Binary wire codec of Raft messages: one frame carries a batch of messages
 * to one peer. docs/raft.md ("Wire format") is the reference of the format;
 * keep the two in step.
 *
 * Encoding throws RangeError for a message the wire cannot carry, so a peer
 * never receives a frame it must refuse. Decoding never throws: any input
 * yields either all of its messages, as fresh objects, or a reason naming
 * what was wrong and at which byte offset.
 */
import { crc32 } from '../crc32.js';
import { RaftReader, RaftWriter, RaftDecodeError } from './codec-bytes.js';
import { MAX_ENTRIES_PER_MESSAGE, getCtx, getEntries, getId, getOptionalCtx, getSnapshotMeta, putCtx, putEntries, putId, putOptionalCtx, putSnapshotMeta } from './codec-fields.js';
import type { Message, MessageType } from './types.js';

export { MAX_CONF_MEMBERS, MAX_CTX_BYTES, MAX_ENTRIES_PER_MESSAGE, MAX_ID_BYTES } from './codec-fields.js';

export const RAFT_WIRE_VERSION = 1;
/** Largest frame, CRC included: 64 MiB. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Messages in one frame: 1..65536. */
export const MAX_MESSAGES_PER_FRAME = 64 * 1024;
/** Bytes of snapshot data in one chunk, at most: 16 MiB. */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

/** Message type numbers; on the wire: append only (a number is never reused; 0 is never used). */
export const RAFT_MESSAGE_TYPES = {
  'pre-vote': 1,
  'pre-vote-resp': 2,
  vote: 3,
  'vote-resp': 4,
  append: 5,
  'append-resp': 6,
  heartbeat: 7,
  'heartbeat-resp': 8,
  snapshot: 9,
  'snapshot-resp': 10,
  'timeout-now': 11,
  'read-index': 12,
  'read-index-resp': 13,
  propose: 14,
} as const satisfies Record<MessageType, number>;

const TYPE_BY_NUMBER = new Map<number, MessageType>(Object.entries(RAFT_MESSAGE_TYPES).map(([name, n]) => [n, name as MessageType]));

const MAGIC = [0x44, 0x52] as const; // "DR"
const HEADER_BYTES = 7; // magic 2, version 1, message count 4
const CRC_BYTES = 4;
/** Fewest bytes a message takes: type 1, from 2, to 2, term 8. */
const MIN_MESSAGE_BYTES = 13;

export type RaftDecoded = { readonly ok: true; readonly value: Message[] } | { readonly ok: false; readonly reason: string };

// ---------------------------------------------------------------- encoding

/** Writes the fields that follow a message's envelope, in the order of docs/raft.md. */
function putBody(w: RaftWriter, m: Message, f: string): void {
  switch (m.type) {
    case 'pre-vote':
    case 'vote':
      w.u53(m.lastIndex, `${f}.lastIndex`);
      w.u53(m.lastTerm, `${f}.lastTerm`);
      w.bool(m.transfer);
      return;
    case 'pre-vote-resp':
    case 'vote-resp':
      w.bool(m.reject);
      return;
    case 'append':
      w.u53(m.prevIndex, `${f}.prevIndex`);
      w.u53(m.prevTerm, `${f}.prevTerm`);
      w.u53(m.commit, `${f}.commit`);
      putEntries(w, m.entries, MAX_FRAME_BYTES, `${f}.entries`);
      return;
    case 'append-resp':
      w.bool(m.reject);
      w.u53(m.index, `${f}.index`);
      w.i53(m.hintIndex, `${f}.hintIndex`);
      w.u53(m.hintTerm, `${f}.hintTerm`);
      return;
    case 'heartbeat':
      w.u53(m.commit, `${f}.commit`);
      putOptionalCtx(w, m.ctx, `${f}.ctx`);
      return;
    case 'heartbeat-resp':
      putOptionalCtx(w, m.ctx, `${f}.ctx`);
      return;
    case 'snapshot':
      putSnapshotMeta(w, m.meta, `${f}.meta`);
      w.u53(m.size, `${f}.size`);
      w.u53(m.offset, `${f}.offset`);
      w.bytes(m.chunk, MAX_CHUNK_BYTES, `${f}.chunk`);
      return;
    case 'snapshot-resp':
      w.u53(m.index, `${f}.index`);
      w.u53(m.offset, `${f}.offset`);
      w.bool(m.reject);
      return;
    case 'timeout-now':
      return;
    case 'read-index':
      putCtx(w, m.ctx, `${f}.ctx`);
      return;
    case 'read-index-resp':
      putCtx(w, m.ctx, `${f}.ctx`);
      w.u53(m.index, `${f}.index`);
      return;
    case 'propose':
      w.count(m.entries.length, MAX_ENTRIES_PER_MESSAGE, `${f}.entries.length`);
      m.entries.forEach((data, i) => w.bytes(data, MAX_FRAME_BYTES, `${f}.entries[${i}]`));
      return;
    default: {
      const unknown: never = m;
      throw new RangeError(`raft codec: ${f}.type is not a message type: ${String((unknown as { type: unknown }).type)}`);
    }
  }
}

/**
 * Encodes 1..MAX_MESSAGES_PER_FRAME messages into one frame. Throws RangeError
 * for no messages, too many, a value the wire cannot carry (the error names
 * the field), or a frame over MAX_FRAME_BYTES.
 */
export function encodeRaftMessages(messages: readonly Message[]): Uint8Array {
  if (messages.length === 0 || messages.length > MAX_MESSAGES_PER_FRAME) {
    throw new RangeError(`raft codec: a frame holds 1..${MAX_MESSAGES_PER_FRAME} messages, got ${messages.length}`);
  }
  const w = new RaftWriter();
  w.u8(MAGIC[0]);
  w.u8(MAGIC[1]);
  w.u8(RAFT_WIRE_VERSION);
  w.u32(messages.length);
  messages.forEach((m, i) => {
    const f = `messages[${i}]`;
    const type = (RAFT_MESSAGE_TYPES as Record<string, number | undefined>)[m.type];
    if (type === undefined) throw new RangeError(`raft codec: ${f}.type is not a message type: ${String(m.type)}`);
    w.u8(type);
    putId(w, m.from, `${f}.from`);
    putId(w, m.to, `${f}.to`);
    w.u53(m.term, `${f}.term`);
    putBody(w, m, f);
    if (w.length + CRC_BYTES > MAX_FRAME_BYTES) throw new RangeError(`raft codec: the frame grows over MAX_FRAME_BYTES (${MAX_FRAME_BYTES}) at ${f}`);
  });
  return w.finishWithCrc();
}

// ---------------------------------------------------------------- decoding

type Envelope = { from: string; to: string; term: number };

/** Reads the fields that follow a message's envelope. */
function getMessage(r: RaftReader, type: MessageType, e: Envelope, f: string): Message {
  switch (type) {
    case 'pre-vote':
    case 'vote':
      return { ...e, type, lastIndex: r.u53(`${f}.lastIndex`), lastTerm: r.u53(`${f}.lastTerm`), transfer: r.bool(`${f}.transfer`) };
    case 'pre-vote-resp':
    case 'vote-resp':
      return { ...e, type, reject: r.bool(`${f}.reject`) };
    case 'append': {
      const prevIndex = r.u53(`${f}.prevIndex`);
      const prevTerm = r.u53(`${f}.prevTerm`);
      const commit = r.u53(`${f}.commit`);
      return { ...e, type, prevIndex, prevTerm, entries: getEntries(r, MAX_FRAME_BYTES, `${f}.entries`), commit };
    }
    case 'append-resp':
      return {
        ...e,
        type,
        reject: r.bool(`${f}.reject`),
        index: r.u53(`${f}.index`),
        hintIndex: r.i53(`${f}.hintIndex`),
        hintTerm: r.u53(`${f}.hintTerm`),
      };
    case 'heartbeat':
      return { ...e, type, commit: r.u53(`${f}.commit`), ctx: getOptionalCtx(r, `${f}.ctx`) };
    case 'heartbeat-resp':
      return { ...e, type, ctx: getOptionalCtx(r, `${f}.ctx`) };
    case 'snapshot': {
      const meta = getSnapshotMeta(r, `${f}.meta`);
      const size = r.u53(`${f}.size`);
      const offset = r.u53(`${f}.offset`);
      return { ...e, type, meta, size, offset, chunk: r.bytes(MAX_CHUNK_BYTES, `${f}.chunk`) };
    }
    case 'snapshot-resp':
      return { ...e, type, index: r.u53(`${f}.index`), offset: r.u53(`${f}.offset`), reject: r.bool(`${f}.reject`) };
    case 'timeout-now':
      return { ...e, type };
    case 'read-index':
      return { ...e, type, ctx: getCtx(r, `${f}.ctx`) };
    case 'read-index-resp':
      return { ...e, type, ctx: getCtx(r, `${f}.ctx`), index: r.u53(`${f}.index`) };
    case 'propose': {
      const count = r.count(MAX_ENTRIES_PER_MESSAGE, 4, `${f}.entries count`);
      const entries: Uint8Array[] = [];
      for (let i = 0; i < count; i++) entries.push(r.bytes(MAX_FRAME_BYTES, `${f}.entries[${i}]`));
      return { ...e, type, entries };
    }
  }
}

/** Checks the framing (size, magic, version, CRC), then reads every message strictly; throws RaftDecodeError. */
function decodeFrame(bytes: Uint8Array): Message[] {
  const end = bytes.length - CRC_BYTES;
  const r = new RaftReader(bytes, end);
  if (r.u8('magic') !== MAGIC[0] || r.u8('magic') !== MAGIC[1]) r.fail('magic: not a Raft frame (expected "DR")', 0);
  const version = r.u8('version');
  if (version !== RAFT_WIRE_VERSION) r.fail(`version: ${version} is not ${RAFT_WIRE_VERSION}`, 2);
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(end);
  const computed = crc32(bytes, 0, end);
  if (stored !== computed) r.fail(`CRC: frame says 0x${stored.toString(16)}, its bytes give 0x${computed.toString(16)}`, end);
  const count = r.count(MAX_MESSAGES_PER_FRAME, MIN_MESSAGE_BYTES, 'message count');
  if (count === 0) r.fail('message count: a frame holds at least one message', 3);
  const messages: Message[] = [];
  for (let i = 0; i < count; i++) {
    const f = `messages[${i}]`;
    const at = r.offset;
    const number = r.u8(`${f}.type`);
    const type = TYPE_BY_NUMBER.get(number) ?? r.fail(`${f}.type: unknown message type ${number}`, at);
    const envelope = { from: getId(r, `${f}.from`), to: getId(r, `${f}.to`), term: r.u53(`${f}.term`) };
    messages.push(getMessage(r, type, envelope, `${f} (${type})`));
  }
  r.done('frame');
  return messages;
}

/**
 * Strict, bounds-checked decoding of one frame; never throws, for any input.
 * A reason reads like `messages[0] (append).entries[0].data: count 5 cannot fit in the 1 bytes left at byte 67`.
 */
export function decodeRaftMessages(bytes: Uint8Array): RaftDecoded {
  if (bytes.length > MAX_FRAME_BYTES) return { ok: false, reason: `frame: ${bytes.length} bytes, over the limit of ${MAX_FRAME_BYTES} at byte ${MAX_FRAME_BYTES}` };
  if (bytes.length < HEADER_BYTES + CRC_BYTES) {
    return { ok: false, reason: `frame: truncated, ${bytes.length} bytes, the smallest frame has ${HEADER_BYTES + CRC_BYTES} at byte ${bytes.length}` };
  }
  try {
    return { ok: true, value: decodeFrame(bytes) };
  } catch (e) {
    if (e instanceof RaftDecodeError) return { ok: false, reason: e.message };
    throw e;
  }
}
