/**
 * Binary wire codec of the membership protocol: compound UDP packets and
 * push-pull frames. docs/protocol.md is the reference of the format; keep the
 * two in step.
 *
 * Encoding throws RangeError for a message the wire cannot carry, so a peer
 * never receives a packet it must drop. Decoding never throws: any input
 * yields either fresh message objects or a drop reason.
 */
import { ByteReader } from '../bytes/reader.js';
import { ByteWriter } from '../bytes/writer.js';
import { crc32 } from '../crc32.js';
import { MsgType } from './messages.js';
import type { Alive, Announce, Dead, IndirectPing, Load, MemberSnapshot, PacketMessage, Ping, PushPull, Suspect } from './messages.js';
import { MEMBER_STATES } from './types.js';
import type { Address, MemberMeta, MemberState } from './types.js';

export const PROTOCOL_VERSION = 1;
export const MAX_PACKET_BYTES = 1400;
/** Largest push-pull frame accepted (TCP). */
export const MAX_STREAM_BYTES = 8 * 1024 * 1024;

/** Frame kinds; on the wire: append only. */
const FrameKind = { Packet: 0, PushPull: 1 } as const;
type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

const MAGIC = [0x44, 0x4e] as const; // "DN"
const HEADER_BYTES = 8; // magic 2, version 1, kind 1, cluster tag 4
const CRC_BYTES = 4;
const MESSAGE_HEADER_BYTES = 3; // type 1, length 2
const MAX_MESSAGES_PER_PACKET = 255;

/** Bytes of packet framing around the messages (header + CRC). */
export const PACKET_OVERHEAD: number = HEADER_BYTES + 1 + CRC_BYTES;

const MAX_ID_BYTES = 64;
const MAX_STRING_BYTES = 255;
const MAX_HOST_BYTES = 45;
const MAX_ROLES = 16;
const MAX_PAIRS = 32;
const U32_MAX = 0xffffffff;
/** Fewest bytes a member snapshot can take: id 2, address 5 ("::"), incarnation 4, state 1, meta 4. */
const MIN_SNAPSHOT_BYTES = 16;

const UTF8_ENCODER = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Tag of a cluster name (crc32 of its UTF-8): packets of other clusters are dropped. */
export function clusterTag(name: string): number {
  return crc32(UTF8_ENCODER.encode(name));
}

export type DropReason = 'short' | 'magic' | 'version' | 'kind' | 'crc' | 'cluster' | 'malformed' | 'oversize';
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: DropReason };

// ---------------------------------------------------------------- encoding

function invalid(field: string, what: string): RangeError {
  return new RangeError(`membership codec: ${field} ${what}`);
}

function putU32(w: ByteWriter, v: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > U32_MAX) throw invalid(field, `must be an integer 0..${U32_MAX}, got ${v}`);
  w.u32(v);
}

function putString(w: ByteWriter, s: string, min: number, max: number, field: string): void {
  if (LONE_SURROGATE.test(s)) throw invalid(field, 'is not well-formed Unicode (lone surrogate)');
  const bytes = UTF8_ENCODER.encode(s);
  if (bytes.length < min || bytes.length > max) throw invalid(field, `must be ${min}..${max} bytes of UTF-8, got ${bytes.length}`);
  w.u8(bytes.length);
  w.raw(bytes);
}

const putId = (w: ByteWriter, id: string, field: string): void => putString(w, id, 1, MAX_ID_BYTES, field);

function putAddress(w: ByteWriter, a: Address, field: string): void {
  if (!isIpLiteral(a.host)) throw invalid(`${field}.host`, `must be an IPv4 or IPv6 literal, got ${JSON.stringify(a.host)}`);
  putString(w, a.host, 1, MAX_HOST_BYTES, `${field}.host`);
  if (!Number.isInteger(a.port) || a.port < 1 || a.port > 0xffff) throw invalid(`${field}.port`, `must be 1..65535, got ${a.port}`);
  w.u16(a.port);
}

function putLoadFigure(w: ByteWriter, v: number, field: string): void {
  if (!(v >= 0) || !Number.isFinite(Math.fround(v))) throw invalid(field, `must be a finite float32 >= 0, got ${v}`);
  w.f32(v === 0 ? 0 : v); // -0 travels as 0
}

function putPairs(w: ByteWriter, record: Readonly<Record<string, string>>, field: string): void {
  const entries = Object.entries(record);
  if (entries.length > MAX_PAIRS) throw invalid(field, `may hold at most ${MAX_PAIRS} entries, got ${entries.length}`);
  w.u8(entries.length);
  for (const [key, value] of entries) {
    putString(w, key, 0, MAX_STRING_BYTES, `${field} key`);
    putString(w, value, 0, MAX_STRING_BYTES, `${field}[${JSON.stringify(key)}]`);
  }
}

function putMeta(w: ByteWriter, meta: MemberMeta, field: string): void {
  if (meta.roles.length > MAX_ROLES) throw invalid(`${field}.roles`, `may hold at most ${MAX_ROLES} roles, got ${meta.roles.length}`);
  w.u8(meta.roles.length);
  for (const role of meta.roles) putString(w, role, 0, MAX_STRING_BYTES, `${field}.roles[]`);
  putPairs(w, meta.services, `${field}.services`);
  putPairs(w, meta.tags, `${field}.tags`);
  putString(w, meta.version, 0, MAX_STRING_BYTES, `${field}.version`);
}

function putSnapshot(w: ByteWriter, m: MemberSnapshot, field: string): void {
  putId(w, m.id, `${field}.id`);
  putAddress(w, m.addr, `${field}.addr`);
  putU32(w, m.incarnation, `${field}.incarnation`);
  const state = MEMBER_STATES.indexOf(m.state);
  if (state < 0) throw invalid(`${field}.state`, `must be one of ${MEMBER_STATES.join(', ')}, got ${String(m.state)}`);
  w.u8(state);
  putMeta(w, m.meta, `${field}.meta`);
}

/** Writes the body of one packet message (without its type and length). */
function putMessageBody(w: ByteWriter, m: PacketMessage): void {
  switch (m.type) {
    case MsgType.Ping:
      putU32(w, m.seq, 'Ping.seq');
      putString(w, m.target, 0, MAX_ID_BYTES, 'Ping.target');
      putId(w, m.from, 'Ping.from');
      putAddress(w, m.fromAddr, 'Ping.fromAddr');
      return;
    case MsgType.IndirectPing:
      putU32(w, m.seq, 'IndirectPing.seq');
      putId(w, m.target, 'IndirectPing.target');
      putAddress(w, m.targetAddr, 'IndirectPing.targetAddr');
      putId(w, m.from, 'IndirectPing.from');
      putAddress(w, m.fromAddr, 'IndirectPing.fromAddr');
      w.u8(m.nack ? 1 : 0);
      return;
    case MsgType.Ack:
    case MsgType.Nack: {
      const name = m.type === MsgType.Ack ? 'Ack' : 'Nack';
      putU32(w, m.seq, `${name}.seq`);
      putId(w, m.from, `${name}.from`);
      return;
    }
    case MsgType.Alive:
      putId(w, m.id, 'Alive.id');
      putU32(w, m.incarnation, 'Alive.incarnation');
      putAddress(w, m.addr, 'Alive.addr');
      putMeta(w, m.meta, 'Alive.meta');
      return;
    case MsgType.Suspect:
      putId(w, m.id, 'Suspect.id');
      putU32(w, m.incarnation, 'Suspect.incarnation');
      putId(w, m.from, 'Suspect.from');
      return;
    case MsgType.Dead:
      putId(w, m.id, 'Dead.id');
      putU32(w, m.incarnation, 'Dead.incarnation');
      putId(w, m.from, 'Dead.from');
      w.u8(m.left ? 1 : 0);
      return;
    case MsgType.Load:
      putId(w, m.id, 'Load.id');
      putU32(w, m.seq, 'Load.seq');
      putLoadFigure(w, m.cpu, 'Load.cpu');
      putLoadFigure(w, m.lagMs, 'Load.lagMs');
      return;
    case MsgType.Announce:
      putId(w, m.id, 'Announce.id');
      putAddress(w, m.addr, 'Announce.addr');
      return;
    default: {
      const unknown: never = m;
      throw invalid('message.type', `is not a packet message type: ${String((unknown as { type: unknown }).type)}`);
    }
  }
}

function messageBody(m: PacketMessage): Uint8Array {
  const w = new ByteWriter();
  putMessageBody(w, m);
  return w.finish();
}

function startFrame(tag: number, kind: FrameKind): ByteWriter {
  if (!Number.isInteger(tag) || tag < 0 || tag > U32_MAX) throw invalid('cluster tag', `must be an integer 0..${U32_MAX}, got ${tag}`);
  const w = new ByteWriter();
  w.u8(MAGIC[0]);
  w.u8(MAGIC[1]);
  w.u8(PROTOCOL_VERSION);
  w.u8(kind);
  w.u32(tag);
  return w;
}

/** Size in bytes a message takes inside a packet (for piggyback budgeting). Throws RangeError like encodePackets. */
export function encodedSize(message: PacketMessage): number {
  return MESSAGE_HEADER_BYTES + messageBody(message).length;
}

/**
 * Packs messages into as few UDP payloads as possible, each at most maxBytes, in order.
 * Throws RangeError if one message alone cannot fit (callers keep metadata bounded),
 * if a message holds a value the wire cannot carry, or if maxBytes exceeds MAX_PACKET_BYTES.
 * No messages give no packets.
 */
export function encodePackets(tag: number, messages: readonly PacketMessage[], maxBytes: number = MAX_PACKET_BYTES): Uint8Array[] {
  const smallest = PACKET_OVERHEAD + MESSAGE_HEADER_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < smallest || maxBytes > MAX_PACKET_BYTES) {
    throw invalid('maxBytes', `must be an integer ${smallest}..${MAX_PACKET_BYTES}, got ${maxBytes}`);
  }
  const bodies = messages.map((m) => {
    const body = messageBody(m);
    const size = PACKET_OVERHEAD + MESSAGE_HEADER_BYTES + body.length;
    if (size > maxBytes) throw invalid(`message of type ${m.type}`, `needs a ${size}-byte packet, over the ${maxBytes}-byte limit`);
    return { type: m.type, body };
  });
  const packets: Uint8Array[] = [];
  let group: typeof bodies = [];
  let size = PACKET_OVERHEAD;
  const flush = (): void => {
    if (group.length === 0) return;
    const w = startFrame(tag, FrameKind.Packet);
    w.u8(group.length);
    for (const { type, body } of group) {
      w.u8(type);
      w.u16(body.length);
      w.raw(body);
    }
    packets.push(w.finishWithCrc());
    group = [];
    size = PACKET_OVERHEAD;
  };
  for (const entry of bodies) {
    const added = MESSAGE_HEADER_BYTES + entry.body.length;
    if (size + added > maxBytes || group.length === MAX_MESSAGES_PER_PACKET) flush();
    group.push(entry);
    size += added;
  }
  flush();
  return packets;
}

/** Encodes one push-pull frame. Throws RangeError for a value the wire cannot carry or a frame over MAX_STREAM_BYTES. */
export function encodePushPull(tag: number, message: PushPull): Uint8Array {
  const w = startFrame(tag, FrameKind.PushPull);
  putId(w, message.from, 'PushPull.from');
  w.u8(message.join ? 1 : 0);
  w.u32(message.members.length);
  message.members.forEach((m, i) => putSnapshot(w, m, `PushPull.members[${i}]`));
  if (w.length + CRC_BYTES > MAX_STREAM_BYTES) {
    throw invalid('PushPull', `needs ${w.length + CRC_BYTES} bytes, over MAX_STREAM_BYTES (${MAX_STREAM_BYTES})`);
  }
  return w.finishWithCrc();
}

// ---------------------------------------------------------------- decoding

/** Thrown inside the decoder only; the entry points turn it into a 'malformed' drop. */
class Malformed extends Error {}
/** One shared instance: hostile traffic costs no stack captures. */
const MALFORMED = new Malformed('malformed membership frame');

/** Every read fault is the one MALFORMED: the field and offset the reader names are of no use to a drop. */
const malformed = (): Malformed => MALFORMED;

function getString(r: ByteReader, min: number, max: number): string {
  const n = r.u8('string length');
  if (n < min || n > max) throw MALFORMED;
  return r.utf8(n, 'string');
}

const getId = (r: ByteReader): string => getString(r, 1, MAX_ID_BYTES);

function getBool(r: ByteReader): boolean {
  const v = r.u8('bool');
  if (v > 1) throw MALFORMED;
  return v === 1;
}

function getAddress(r: ByteReader): Address {
  const host = getString(r, 1, MAX_HOST_BYTES);
  const port = r.u16('port');
  if (!isIpLiteral(host) || port === 0) throw MALFORMED;
  return { host, port };
}

function getLoadFigure(r: ByteReader): number {
  const v = r.f32('load');
  if (!Number.isFinite(v) || v < 0 || Object.is(v, -0)) throw MALFORMED;
  return v;
}

function getPairs(r: ByteReader): Record<string, string> {
  const count = r.u8('pair count');
  if (count > MAX_PAIRS) throw MALFORMED;
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const key = getString(r, 0, MAX_STRING_BYTES);
    if (seen.has(key)) throw MALFORMED;
    seen.add(key);
    entries.push([key, getString(r, 0, MAX_STRING_BYTES)]);
  }
  return Object.fromEntries(entries); // own data properties, "__proto__" included
}

function getMeta(r: ByteReader): MemberMeta {
  const roleCount = r.u8('role count');
  if (roleCount > MAX_ROLES) throw MALFORMED;
  const roles: string[] = [];
  for (let i = 0; i < roleCount; i++) roles.push(getString(r, 0, MAX_STRING_BYTES));
  const services = getPairs(r);
  const tags = getPairs(r);
  return { roles, services, tags, version: getString(r, 0, MAX_STRING_BYTES) };
}

function getSnapshot(r: ByteReader): MemberSnapshot {
  const id = getId(r);
  const addr = getAddress(r);
  const incarnation = r.u32('incarnation');
  const state: MemberState | undefined = MEMBER_STATES[r.u8('state')];
  if (state === undefined) throw MALFORMED;
  return { id, addr, incarnation, state, meta: getMeta(r) };
}

/** Body readers of the packet message types; a type not listed here is malformed in a packet. */
const PACKET_READERS = new Map<number, (r: ByteReader) => PacketMessage>([
  [MsgType.Ping, (r): Ping => ({ type: MsgType.Ping, seq: r.u32('seq'), target: getString(r, 0, MAX_ID_BYTES), from: getId(r), fromAddr: getAddress(r) })],
  [
    MsgType.IndirectPing,
    (r): IndirectPing => ({
      type: MsgType.IndirectPing,
      seq: r.u32('seq'),
      target: getId(r),
      targetAddr: getAddress(r),
      from: getId(r),
      fromAddr: getAddress(r),
      nack: getBool(r),
    }),
  ],
  [MsgType.Ack, (r) => ({ type: MsgType.Ack, seq: r.u32('seq'), from: getId(r) })],
  [MsgType.Nack, (r) => ({ type: MsgType.Nack, seq: r.u32('seq'), from: getId(r) })],
  [MsgType.Alive, (r): Alive => ({ type: MsgType.Alive, id: getId(r), incarnation: r.u32('incarnation'), addr: getAddress(r), meta: getMeta(r) })],
  [MsgType.Suspect, (r): Suspect => ({ type: MsgType.Suspect, id: getId(r), incarnation: r.u32('incarnation'), from: getId(r) })],
  [MsgType.Dead, (r): Dead => ({ type: MsgType.Dead, id: getId(r), incarnation: r.u32('incarnation'), from: getId(r), left: getBool(r) })],
  [MsgType.Load, (r): Load => ({ type: MsgType.Load, id: getId(r), seq: r.u32('seq'), cpu: getLoadFigure(r), lagMs: getLoadFigure(r) })],
  [MsgType.Announce, (r): Announce => ({ type: MsgType.Announce, id: getId(r), addr: getAddress(r) })],
]);

function getPacketBody(r: ByteReader): PacketMessage[] {
  const count = r.u8('message count');
  if (count === 0) throw MALFORMED;
  const messages: PacketMessage[] = [];
  for (let i = 0; i < count; i++) {
    const read = PACKET_READERS.get(r.u8('message type'));
    const body = r.sub(r.u16('message length'), 'message');
    if (read === undefined) throw MALFORMED;
    messages.push(read(body));
    body.done('message');
  }
  return messages;
}

function getPushPullBody(r: ByteReader): PushPull {
  const from = getId(r);
  const join = getBool(r);
  const count = r.u32('member count');
  if (count > r.remaining / MIN_SNAPSHOT_BYTES) throw MALFORMED;
  const members: MemberSnapshot[] = [];
  for (let i = 0; i < count; i++) members.push(getSnapshot(r));
  return { type: MsgType.PushPull, from, join, members };
}

const drop = (reason: DropReason): Decoded<never> => ({ ok: false, reason });

/** Checks the framing in the documented order, then reads the body strictly. */
function decodeFrame<T>(bytes: Uint8Array, tag: number, kind: FrameKind, maxBytes: number, getBody: (r: ByteReader) => T): Decoded<T> {
  if (bytes.length > maxBytes) return drop('oversize');
  if (bytes.length < HEADER_BYTES + CRC_BYTES) return drop('short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== MAGIC[0] || view.getUint8(1) !== MAGIC[1]) return drop('magic');
  if (view.getUint8(2) !== PROTOCOL_VERSION) return drop('version');
  if (view.getUint8(3) !== kind) return drop('kind');
  const crcAt = bytes.length - CRC_BYTES;
  if (crc32(bytes, 0, crcAt) !== view.getUint32(crcAt)) return drop('crc');
  if (view.getUint32(4) !== tag) return drop('cluster');
  try {
    const r = new ByteReader(bytes, malformed, { start: HEADER_BYTES, end: crcAt });
    const value = getBody(r);
    r.done('frame');
    return { ok: true, value };
  } catch (e) {
    if (e === MALFORMED) return drop('malformed');
    throw e;
  }
}

/** Strict, bounds-checked decoding of one UDP payload; never throws, for any input. */
export function decodePacket(bytes: Uint8Array, tag: number): Decoded<PacketMessage[]> {
  return decodeFrame(bytes, tag, FrameKind.Packet, MAX_PACKET_BYTES, getPacketBody);
}

/** Strict, bounds-checked decoding of one push-pull frame (without its TCP length prefix); never throws. */
export function decodePushPull(bytes: Uint8Array, tag: number): Decoded<PushPull> {
  return decodeFrame(bytes, tag, FrameKind.PushPull, MAX_STREAM_BYTES, getPushPullBody);
}

// ---------------------------------------------------------------- addresses

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** True for a dotted-quad IPv4 or an RFC 4291 IPv6 literal (no zone, no brackets). */
function isIpLiteral(host: string): boolean {
  if (host.length > MAX_HOST_BYTES) return false;
  if (IPV4.test(host)) return true;
  const halves = host.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const last = groups[groups.length - 1] ?? [];
  let count = groups.reduce((n, g) => n + g.length, 0);
  const tail = last[last.length - 1];
  if (tail !== undefined && tail.includes('.')) {
    if (!IPV4.test(tail)) return false;
    last.pop();
    count += 1; // an embedded IPv4 address fills two groups
  }
  if (!groups.every((g) => g.every((group) => HEX_GROUP.test(group)))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}
