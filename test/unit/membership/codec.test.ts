import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_PACKET_BYTES,
  MAX_STREAM_BYTES,
  PACKET_OVERHEAD,
  PROTOCOL_VERSION,
  clusterTag,
  decodePacket,
  decodePushPull,
  encodePackets,
  encodePushPull,
  encodedSize,
} from '../../../src/core/membership/codec.js';
import type { Decoded } from '../../../src/core/membership/codec.js';
import { MsgType } from '../../../src/core/membership/messages.js';
import type { Alive, MemberSnapshot, PacketMessage, PushPull } from '../../../src/core/membership/messages.js';
import { MEMBER_STATES } from '../../../src/core/membership/types.js';
import type { Address, MemberMeta } from '../../../src/core/membership/types.js';

const TAG = clusterTag('prod');
const A4: Address = { host: '10.0.0.1', port: 7946 };
const A6: Address = { host: '2001:db8::ffff:192.0.2.1', port: 65535 };
const META: MemberMeta = { roles: ['raft', 'node'], services: { raft: '10.0.0.1:5001', node: '[::1]:8081' }, tags: { zone: 'eu-1' }, version: '0.1.0' };
const EMPTY: MemberMeta = { roles: [], services: {}, tags: {}, version: '' };
const UNICODE_ID = 'nœud-日本-🚀'; // 20 bytes of UTF-8

function maxMeta(): MemberMeta {
  const pad = (s: string, c: string): string => s.padEnd(255, c);
  const pairs = (c: string): Record<string, string> => Object.fromEntries(Array.from({ length: 32 }, (_, i) => [pad(`${i}`, c), pad('', 'v')]));
  return { roles: Array.from({ length: 16 }, (_, i) => pad(`r${i}`, 'x')), services: pairs('s'), tags: pairs('t'), version: pad('', '9') };
}

const ONE_OF_EACH: readonly PacketMessage[] = [
  { type: MsgType.Ping, seq: 1, target: 'node002', from: 'node001', fromAddr: A4 },
  { type: MsgType.Ping, seq: 0, target: '', from: 'node001', fromAddr: { host: '::', port: 1 } },
  { type: MsgType.IndirectPing, seq: 0xffffffff, target: UNICODE_ID, targetAddr: A6, from: 'node001', fromAddr: { host: '::1', port: 7946 }, nack: true },
  { type: MsgType.IndirectPing, seq: 2, target: 'node003', targetAddr: A4, from: 'node001', fromAddr: A4, nack: false },
  { type: MsgType.Ack, seq: 3, from: 'node002' },
  { type: MsgType.Nack, seq: 4, from: 'x'.repeat(64) },
  { type: MsgType.Alive, id: 'node001', incarnation: 7, addr: A6, meta: META },
  { type: MsgType.Alive, id: UNICODE_ID, incarnation: 0, addr: A4, meta: EMPTY },
  { type: MsgType.Suspect, id: 'node002', incarnation: 8, from: 'node003' },
  { type: MsgType.Dead, id: 'node002', incarnation: 9, from: 'node002', left: true },
  { type: MsgType.Dead, id: 'node002', incarnation: 9, from: 'node001', left: false },
  { type: MsgType.Load, id: 'node001', seq: 10, cpu: 37.5, lagMs: 0 },
  { type: MsgType.Announce, id: 'node004', addr: { host: 'fe80::1', port: 7946 } },
];

const PUSH_PULL: PushPull = {
  type: MsgType.PushPull,
  from: 'node001',
  join: true,
  members: MEMBER_STATES.map((state, i): MemberSnapshot => ({ id: `node00${i}`, addr: i % 2 ? A6 : A4, incarnation: i, state, meta: i ? META : EMPTY })),
};

function accepted<T>(result: Decoded<T>): T {
  if (!result.ok) throw new Error(`dropped: ${result.reason}`);
  return result.value;
}

function roundTrip(messages: readonly PacketMessage[], maxBytes?: number): PacketMessage[] {
  return encodePackets(TAG, messages, maxBytes).flatMap((p) => accepted(decodePacket(p, TAG)));
}

// --- hand-made frames: bytes are written out here, independently of the encoder

type Part = number | readonly number[] | Uint8Array;
const cat = (...parts: Part[]): number[] => parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p]));
const u16 = (n: number): number[] => [n >>> 8, n & 0xff];
const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const str = (s: string): number[] => {
  const b = new TextEncoder().encode(s);
  return [b.length, ...b];
};
const f32 = (n: number): number[] => {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, n);
  return [...new Uint8Array(v.buffer)];
};
const addr = (host: string, port: number): number[] => cat(str(host), u16(port));
const msg = (type: number, ...body: Part[]): number[] => {
  const b = cat(...body);
  return cat(type, u16(b.length), b);
};
function frame(body: Part[], { kind = 0, version = PROTOCOL_VERSION, tag = TAG } = {}): Uint8Array {
  const head = cat(0x44, 0x4e, version, kind, u32(tag), ...body);
  return Uint8Array.from(cat(head, u32(zlibCrc32(Uint8Array.from(head)))));
}
const packet = (...messages: number[][]): Uint8Array => frame([messages.length, ...messages]);
const ACK = msg(MsgType.Ack, u32(3), str('node002'));
const EMPTY_META_BYTES = [0, 0, 0, 0];

describe('frame layout (docs/protocol.md)', () => {
  it('an Ack packet is magic "DN", version, kind 0, cluster tag, count, type, length, body and CRC-32 of the rest', () => {
    const [p] = encodePackets(0x01020304, [{ type: MsgType.Ack, seq: 7, from: 'n1' }]);
    const hex = Buffer.from(p ?? []).toString('hex');
    expect(hex).toBe('444e0100010203040102000700000007026e31' + '477a65db');
    expect(zlibCrc32(Buffer.from(hex.slice(0, -8), 'hex'))).toBe(0x477a65db);
  });

  it('encodes the hand-made bytes exactly, so the layout is what the docs say', () => {
    expect(encodePackets(TAG, [{ type: MsgType.Ack, seq: 3, from: 'node002' }])).toEqual([packet(ACK)]);
  });

  it('the cluster tag is the CRC-32 of the UTF-8 name', () => {
    expect(clusterTag('prod')).toBe(zlibCrc32('prod'));
    expect(clusterTag('')).toBe(0);
  });

  it('encodedSize plus PACKET_OVERHEAD is the size of a packet of one message', () => {
    for (const m of ONE_OF_EACH) expect(encodePackets(TAG, [m])[0]?.length).toBe(PACKET_OVERHEAD + encodedSize(m));
  });
});

describe('every message type round-trips', () => {
  const name = (type: number): string => Object.keys(MsgType).find((k) => MsgType[k as keyof typeof MsgType] === type) ?? `type ${type}`;
  it.each(ONE_OF_EACH.map((m) => [name(m.type), m] as const))('%s', (_, m) => {
    expect(roundTrip([m])).toEqual([m]);
  });

  it('all of them together in one packet, in order', () => {
    expect(encodePackets(TAG, ONE_OF_EACH)).toHaveLength(1);
    expect(roundTrip(ONE_OF_EACH)).toEqual(ONE_OF_EACH);
  });

  it('push-pull with every member state, IPv6 and empty meta', () => {
    expect(accepted(decodePushPull(encodePushPull(TAG, PUSH_PULL), TAG))).toEqual(PUSH_PULL);
    const empty: PushPull = { type: MsgType.PushPull, from: UNICODE_ID, join: false, members: [] };
    expect(accepted(decodePushPull(encodePushPull(TAG, empty), TAG))).toEqual(empty);
  });

  it('max-size meta round-trips in push-pull and is refused with RangeError in a packet', () => {
    const meta = maxMeta();
    const members = [{ id: 'm'.repeat(64), addr: A6, incarnation: 0xffffffff, state: 'alive', meta }] as const;
    const pp: PushPull = { type: MsgType.PushPull, from: 'node001', join: false, members };
    expect(accepted(decodePushPull(encodePushPull(TAG, pp), TAG))).toEqual(pp);
    expect(() => encodePackets(TAG, [{ type: MsgType.Alive, id: 'n', incarnation: 1, addr: A4, meta }])).toThrow(/needs a \d+-byte packet/);
  });

  it('a message that fills maxBytes exactly fits; one byte less throws RangeError', () => {
    const alive: Alive = { type: MsgType.Alive, id: 'node001', incarnation: 1, addr: A6, meta: META };
    const exact = PACKET_OVERHEAD + encodedSize(alive);
    expect(encodePackets(TAG, [alive], exact)[0]).toHaveLength(exact);
    expect(() => encodePackets(TAG, [alive], exact - 1)).toThrow(RangeError);
  });

  it('load figures travel as float32: the receiver sees Math.fround of the value', () => {
    const [m] = roundTrip([{ type: MsgType.Load, id: 'n', seq: 1, cpu: 37.3, lagMs: 12.1 }]);
    expect(m).toEqual({ type: MsgType.Load, id: 'n', seq: 1, cpu: Math.fround(37.3), lagMs: Math.fround(12.1) });
  });

  it('keys like "__proto__" and a leading byte-order mark survive', () => {
    const meta: MemberMeta = { roles: ['\uFEFFrole'], services: Object.fromEntries([['__proto__', 'x']]), tags: { '1': 'a', b: '' }, version: '\uFEFF' };
    const [m] = roundTrip([{ type: MsgType.Alive, id: '\uFEFFn', incarnation: 1, addr: A4, meta }]);
    expect(m).toEqual({ type: MsgType.Alive, id: '\uFEFFn', incarnation: 1, addr: A4, meta });
    expect(Object.keys((m as Alive).meta.services)).toEqual(['__proto__']);
  });

  it('decoding returns fresh objects that share nothing with the input or earlier results', () => {
    const bytes = encodePackets(TAG, [ONE_OF_EACH[6] as Alive])[0] ?? new Uint8Array();
    const first = accepted(decodePacket(bytes, TAG));
    const second = accepted(decodePacket(bytes, TAG));
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect((second[0] as Alive).addr).not.toBe((first[0] as Alive).addr);
    expect((second[0] as Alive).meta.roles).not.toBe((first[0] as Alive).meta.roles);
    bytes.fill(0);
    expect(first).toEqual([ONE_OF_EACH[6]]);
  });

  it('decodes a payload that sits at an offset inside a larger buffer', () => {
    const p = encodePackets(TAG, ONE_OF_EACH)[0] ?? new Uint8Array();
    const big = new Uint8Array(p.length + 10).fill(0xaa);
    big.set(p, 5);
    expect(accepted(decodePacket(big.subarray(5, 5 + p.length), TAG))).toEqual(ONE_OF_EACH);
  });
});

describe('packing messages into packets', () => {
  const many: PacketMessage[] = Array.from({ length: 120 }, (_, i) => ONE_OF_EACH[i % ONE_OF_EACH.length] as PacketMessage);

  it('every payload is at most maxBytes, order is kept and every message is present', () => {
    for (const maxBytes of [120, 300, MAX_PACKET_BYTES]) {
      const packets = encodePackets(TAG, many, maxBytes);
      for (const p of packets) expect(p.length).toBeLessThanOrEqual(maxBytes);
      expect(packets.flatMap((p) => accepted(decodePacket(p, TAG)))).toEqual(many);
    }
  });

  it('uses as few packets as possible: the next message never fits in the packet before it', () => {
    const maxBytes = 200;
    const packets = encodePackets(TAG, many, maxBytes);
    let sent = 0;
    for (const p of packets.slice(0, -1)) {
      sent += accepted(decodePacket(p, TAG)).length;
      expect(p.length + encodedSize(many[sent] as PacketMessage)).toBeGreaterThan(maxBytes);
    }
  });

  it('no messages give no packets', () => {
    expect(encodePackets(TAG, [])).toEqual([]);
  });

  it('maxBytes above MAX_PACKET_BYTES or too small for any message is a RangeError', () => {
    expect(() => encodePackets(TAG, many, MAX_PACKET_BYTES + 1)).toThrow(RangeError);
    expect(() => encodePackets(TAG, many, PACKET_OVERHEAD + 2)).toThrow(RangeError);
    expect(() => encodePackets(TAG, many, 500.5)).toThrow(RangeError);
  });
});

describe('encoding refuses what the wire cannot carry, with RangeError naming the field', () => {
  const ack = { type: MsgType.Ack, seq: 1, from: 'n' } as const;
  const ping = { type: MsgType.Ping, seq: 1, target: 't', from: 'n', fromAddr: A4 } as const;
  const load = { type: MsgType.Load, id: 'n', seq: 1, cpu: 1, lagMs: 1 } as const;
  const alive = (meta: Partial<MemberMeta>): Alive => ({ type: MsgType.Alive, id: 'n', incarnation: 1, addr: A4, meta: { ...EMPTY, ...meta } });
  const cases: [string, PacketMessage, RegExp][] = [
    ['an empty id', { ...ack, from: '' }, /Ack\.from/],
    ['an id over 64 bytes', { ...ack, from: 'é'.repeat(33) }, /Ack\.from must be 1\.\.64 bytes/],
    ['a lone surrogate', { ...ack, from: '\uD800' }, /well-formed/],
    ['a negative seq', { ...ack, seq: -1 }, /Ack\.seq/],
    ['a seq over u32', { ...ack, seq: 2 ** 32 }, /Ack\.seq/],
    ['a fractional seq', { ...ack, seq: 1.5 }, /Ack\.seq/],
    ['port 0', { ...ping, fromAddr: { host: '10.0.0.1', port: 0 } }, /Ping\.fromAddr\.port/],
    ['port 65536', { ...ping, fromAddr: { host: '10.0.0.1', port: 65536 } }, /Ping\.fromAddr\.port/],
    ['a host name', { ...ping, fromAddr: { host: 'localhost', port: 1 } }, /Ping\.fromAddr\.host/],
    ['an IPv6 zone', { ...ping, fromAddr: { host: 'fe80::1%eth0', port: 1 } }, /Ping\.fromAddr\.host/],
    ['a bracketed IPv6', { ...ping, fromAddr: { host: '[::1]', port: 1 } }, /Ping\.fromAddr\.host/],
    ['NaN cpu', { ...load, cpu: NaN }, /Load\.cpu/],
    ['negative lag', { ...load, lagMs: -1 }, /Load\.lagMs/],
    ['infinite cpu', { ...load, cpu: Infinity }, /Load\.cpu/],
    ['a cpu beyond float32', { ...load, cpu: 1e39 }, /Load\.cpu/],
    ['17 roles', alive({ roles: Array.from({ length: 17 }, () => 'r') }), /Alive\.meta\.roles/],
    ['33 tags', alive({ tags: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }), /Alive\.meta\.tags/],
    ['a 256-byte version', alive({ version: 'v'.repeat(256) }), /Alive\.meta\.version/],
  ];
  it.each(cases)('%s', (_, message, error) => {
    expect(() => encodePackets(TAG, [message])).toThrow(RangeError);
    expect(() => encodePackets(TAG, [message])).toThrow(error);
    expect(() => encodedSize(message)).toThrow(RangeError);
  });

  it('a cluster tag that is not a u32', () => {
    expect(() => encodePackets(-1, [ack])).toThrow(/cluster tag/);
    expect(() => encodePushPull(2 ** 32, PUSH_PULL)).toThrow(/cluster tag/);
  });

  it('a push-pull member with an unknown state, and a push-pull frame over MAX_STREAM_BYTES', () => {
    const bad = { ...PUSH_PULL, members: [{ ...(PUSH_PULL.members[0] as MemberSnapshot), state: 'gone' as 'alive' }] };
    expect(() => encodePushPull(TAG, bad)).toThrow(/members\[0\]\.state/);
    const big: MemberSnapshot = { id: 'n', addr: A4, incarnation: 1, state: 'alive', meta: maxMeta() };
    const members = Array.from({ length: Math.ceil(MAX_STREAM_BYTES / 37_000) }, () => big);
    expect(() => encodePushPull(TAG, { type: MsgType.PushPull, from: 'n', join: false, members })).toThrow(/MAX_STREAM_BYTES/);
  });
});

describe('each drop reason comes from the framing check that failed', () => {
  it("'oversize': a packet over MAX_PACKET_BYTES, a push-pull frame over MAX_STREAM_BYTES", () => {
    expect(decodePacket(new Uint8Array(MAX_PACKET_BYTES + 1), TAG)).toEqual({ ok: false, reason: 'oversize' });
    expect(decodePushPull(new Uint8Array(MAX_STREAM_BYTES + 1), TAG)).toEqual({ ok: false, reason: 'oversize' });
  });

  it("'short': fewer than the 12 bytes of header and CRC", () => {
    expect(decodePacket(packet(ACK).subarray(0, 11), TAG)).toEqual({ ok: false, reason: 'short' });
    expect(decodePushPull(new Uint8Array(0), TAG)).toEqual({ ok: false, reason: 'short' });
  });

  it("'magic': not starting with \"DN\" (an encrypted \"DE\" frame included)", () => {
    const p = packet(ACK);
    p[1] = 0x45;
    expect(decodePacket(p, TAG)).toEqual({ ok: false, reason: 'magic' });
  });

  it("'version': another protocol version, even with a good CRC", () => {
    expect(decodePacket(frame([1, ACK], { version: 2 }), TAG)).toEqual({ ok: false, reason: 'version' });
  });

  it("'kind': a push-pull frame on UDP, a packet on TCP, or an unknown kind", () => {
    expect(decodePacket(encodePushPull(TAG, PUSH_PULL), TAG)).toEqual({ ok: false, reason: 'kind' });
    expect(decodePushPull(packet(ACK), TAG)).toEqual({ ok: false, reason: 'kind' });
    expect(decodePacket(frame([1, ACK], { kind: 2 }), TAG)).toEqual({ ok: false, reason: 'kind' });
  });

  it("'crc': any changed byte after the header's first four", () => {
    const p = packet(ACK);
    p[14] = (p[14] ?? 0) ^ 0x01;
    expect(decodePacket(p, TAG)).toEqual({ ok: false, reason: 'crc' });
  });

  it("'cluster': an intact packet of another cluster", () => {
    expect(decodePacket(packet(ACK), clusterTag('staging'))).toEqual({ ok: false, reason: 'cluster' });
    expect(decodePushPull(encodePushPull(TAG, PUSH_PULL), clusterTag('staging'))).toEqual({ ok: false, reason: 'cluster' });
  });

  const host = addr('10.0.0.1', 7946);
  const malformedPackets: [string, Uint8Array][] = [
    ['no messages (count 0)', frame([0])],
    ['the count byte missing', frame([])],
    ['fewer messages than the count', frame([2, ACK])],
    ['bytes after the last message', frame([1, ACK, 0])],
    ['an unknown message type', packet(msg(200, u32(3), str('n')))],
    ['push-pull (type 8) inside a packet', packet(msg(MsgType.PushPull, str('n'), 0, u32(0)))],
    ['trailing bytes inside a message body', packet(msg(MsgType.Ack, u32(3), str('n'), 0))],
    ['a body shorter than its fields', packet(msg(MsgType.Ack, u32(3)))],
    ['a message length that runs past the end', frame([1, MsgType.Ack, u16(200), u32(3), str('n')])],
    ['a string length that runs past its body', packet(msg(MsgType.Ack, u32(3), 9, 0x6e))],
    ['an empty id', packet(msg(MsgType.Ack, u32(3), str('')))],
    ['an id over 64 bytes', packet(msg(MsgType.Ack, u32(3), str('x'.repeat(65))))],
    ['invalid UTF-8', packet(msg(MsgType.Ack, u32(3), [2, 0xc3, 0x28]))],
    ['a boolean that is neither 0 nor 1', packet(msg(MsgType.Dead, str('a'), u32(1), str('a'), 2))],
    ['port 0', packet(msg(MsgType.Announce, str('a'), addr('10.0.0.1', 0)))],
    ['a host that is not an IP literal', packet(msg(MsgType.Announce, str('a'), addr('example.com', 80)))],
    ['an IPv4 octet over 255', packet(msg(MsgType.Announce, str('a'), addr('10.0.0.256', 80)))],
    ['an IPv6 with two "::"', packet(msg(MsgType.Announce, str('a'), addr('1::2::3', 80)))],
    ['a host over 45 bytes', packet(msg(MsgType.Announce, str('a'), addr('1111:2222:3333:4444:5555:6666:255.255.255.255:', 80)))],
    ['NaN cpu', packet(msg(MsgType.Load, str('a'), u32(1), f32(NaN), f32(0)))],
    ['negative lag', packet(msg(MsgType.Load, str('a'), u32(1), f32(0), f32(-1)))],
    ['negative zero cpu', packet(msg(MsgType.Load, str('a'), u32(1), f32(-0), f32(0)))],
    ['infinite lag', packet(msg(MsgType.Load, str('a'), u32(1), f32(0), f32(Infinity)))],
    ['17 roles', packet(msg(MsgType.Alive, str('a'), u32(1), host, 17, Array.from({ length: 17 }, () => str('r')).flat(), 0, 0, str('')))],
    ['33 services', packet(msg(MsgType.Alive, str('a'), u32(1), host, 0, 33, Array.from({ length: 33 }, (_, i) => cat(str(`${i}`), str(''))).flat(), 0, str('')))],
    ['a duplicate tag key', packet(msg(MsgType.Alive, str('a'), u32(1), host, 0, 0, 2, str('k'), str('1'), str('k'), str('2'), str('')))],
  ];
  it.each(malformedPackets)("'malformed' packet: %s", (_, bytes) => {
    expect(decodePacket(bytes, TAG)).toEqual({ ok: false, reason: 'malformed' });
  });

  const snapshot = (state: number): number[] => cat(str('m'), host, u32(1), state, EMPTY_META_BYTES);
  const pushPull = (...body: Part[]): Uint8Array => frame(body, { kind: 1 });
  it('the hand-made push-pull frame is accepted, so the cases below fail for their one reason', () => {
    expect(accepted(decodePushPull(pushPull(str('n'), 1, u32(1), snapshot(3)), TAG)).members[0]?.state).toBe('left');
  });
  const malformedPushPulls: [string, Uint8Array][] = [
    ['a member state past MEMBER_STATES', pushPull(str('n'), 0, u32(1), snapshot(4))],
    ['a member count larger than the frame can hold', pushPull(str('n'), 0, u32(0xffffffff), snapshot(0))],
    ['fewer members than the count', pushPull(str('n'), 0, u32(2), snapshot(0))],
    ['bytes after the last member', pushPull(str('n'), 0, u32(1), snapshot(0), 0)],
    ['a join flag of 2', pushPull(str('n'), 2, u32(0))],
  ];
  it.each(malformedPushPulls)("'malformed' push-pull: %s", (_, bytes) => {
    expect(decodePushPull(bytes, TAG)).toEqual({ ok: false, reason: 'malformed' });
  });
});

// --- properties

const text = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength });
const id = fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }); // at most 64 bytes
const u32Arb = fc.integer({ min: 0, max: 0xffffffff });
const address: fc.Arbitrary<Address> = fc.record({ host: fc.oneof(fc.ipV4(), fc.ipV6()), port: fc.integer({ min: 1, max: 0xffff }) });
const figure = fc.float({ min: 0, max: 1e9, noNaN: true }).map((v) => v + 0);
const pairs = fc.dictionary(text(8), text(8), { maxKeys: 4, noNullPrototype: true });
const meta: fc.Arbitrary<MemberMeta> = fc.record({ roles: fc.array(text(8), { maxLength: 4 }), services: pairs, tags: pairs, version: text(8) });
const packetMessage: fc.Arbitrary<PacketMessage> = fc.oneof(
  fc.record({ type: fc.constant(MsgType.Ping), seq: u32Arb, target: fc.oneof(fc.constant(''), id), from: id, fromAddr: address }),
  fc.record({ type: fc.constant(MsgType.IndirectPing), seq: u32Arb, target: id, targetAddr: address, from: id, fromAddr: address, nack: fc.boolean() }),
  fc.record({ type: fc.constant(MsgType.Ack), seq: u32Arb, from: id }),
  fc.record({ type: fc.constant(MsgType.Nack), seq: u32Arb, from: id }),
  fc.record({ type: fc.constant(MsgType.Alive), id, incarnation: u32Arb, addr: address, meta }),
  fc.record({ type: fc.constant(MsgType.Suspect), id, incarnation: u32Arb, from: id }),
  fc.record({ type: fc.constant(MsgType.Dead), id, incarnation: u32Arb, from: id, left: fc.boolean() }),
  fc.record({ type: fc.constant(MsgType.Load), id, seq: u32Arb, cpu: figure, lagMs: figure }),
  fc.record({ type: fc.constant(MsgType.Announce), id, addr: address }),
);
const snapshotArb: fc.Arbitrary<MemberSnapshot> = fc.record({ id, addr: address, incarnation: u32Arb, state: fc.constantFrom(...MEMBER_STATES), meta });
const pushPullArb: fc.Arbitrary<PushPull> = fc.record({ type: fc.constant(MsgType.PushPull), from: id, join: fc.boolean(), members: fc.array(snapshotArb, { maxLength: 5 }) });
const smallPushPull: fc.Arbitrary<PushPull> = fc.record({ type: fc.constant(MsgType.PushPull), from: id, join: fc.boolean(), members: fc.array(snapshotArb, { maxLength: 2 }) });
const messageList = fc.array(packetMessage, { minLength: 1, maxLength: 12 });

/** A decoded list is valid when the encoder accepts it and it round-trips unchanged. */
function expectValid(messages: PacketMessage[]): void {
  expect(messages.length).toBeGreaterThan(0);
  expect(roundTrip(messages)).toEqual(messages);
}

describe('properties', () => {
  it('arbitrary packet messages round-trip, split into payloads of at most maxBytes', () => {
    fc.assert(
      fc.property(messageList, fc.integer({ min: 900, max: MAX_PACKET_BYTES }), (messages, maxBytes) => {
        const packets = encodePackets(TAG, messages, maxBytes);
        for (const p of packets) expect(p.length).toBeLessThanOrEqual(maxBytes);
        expect(packets.flatMap((p) => accepted(decodePacket(p, TAG)))).toEqual(messages);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary push-pull messages round-trip', () => {
    fc.assert(
      fc.property(pushPullArb, (pp) => {
        expect(accepted(decodePushPull(encodePushPull(TAG, pp), TAG))).toEqual(pp);
      }),
      { numRuns: 200 },
    );
  });

  it('random bytes never throw and are dropped, or decode to a valid value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 200 }), (head, body) => {
        const candidates = [
          Uint8Array.from([...head, ...body]),
          frame([body]),
          frame([1, head[0] ?? 0, u16(body.length), body]),
          frame([body], { kind: 1 }),
        ];
        for (const bytes of candidates) {
          const packetResult = decodePacket(bytes, TAG);
          if (packetResult.ok) expectValid(packetResult.value);
          const pushPullResult = decodePushPull(bytes, TAG);
          if (pushPullResult.ok) expect(accepted(decodePushPull(encodePushPull(TAG, pushPullResult.value), TAG))).toEqual(pushPullResult.value);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('every single-byte change of a valid packet is dropped without throwing', () => {
    fc.assert(
      fc.property(messageList, fc.integer({ min: 1, max: 255 }), (messages, delta) => {
        const [original] = encodePackets(TAG, messages.slice(0, 2));
        if (original === undefined) throw new Error('no packet');
        for (let i = 0; i < original.length; i++) {
          const mutated = original.slice();
          mutated[i] = (mutated[i] ?? 0) ^ delta;
          expect(decodePacket(mutated, TAG).ok).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('every truncation of a valid packet or push-pull frame is dropped without throwing', () => {
    fc.assert(
      fc.property(messageList, smallPushPull, (messages, pp) => {
        const [p] = encodePackets(TAG, messages.slice(0, 2));
        if (p === undefined) throw new Error('no packet');
        const f = encodePushPull(TAG, pp);
        for (let n = 0; n < p.length; n++) expect(decodePacket(p.subarray(0, n), TAG).ok).toBe(false);
        for (let n = 0; n < f.length; n++) expect(decodePushPull(f.subarray(0, n), TAG).ok).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});
