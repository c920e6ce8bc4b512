import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_CHUNK_BYTES,
  MAX_FRAME_BYTES,
  MAX_MESSAGES_PER_FRAME,
  RAFT_MESSAGE_TYPES,
  RAFT_WIRE_VERSION,
  decodeRaftMessages,
  encodeRaftMessages,
} from '../../../src/core/raft/codec.js';
import type { RaftDecoded } from '../../../src/core/raft/codec.js';
import type { Entry, Message, SnapshotMeta } from '../../../src/core/raft/types.js';

const MAX_U53 = Number.MAX_SAFE_INTEGER;
const UNICODE_ID = 'nœud-日本-🚀';
const META: SnapshotMeta = { index: 40, term: 3, conf: { voters: ['n1', 'n2', 'n3'], learners: ['n4'] } };
const env = { from: 'n1', to: 'n2', term: 7 } as const;

const ONE_OF_EACH: readonly Message[] = [
  { ...env, type: 'pre-vote', lastIndex: 10, lastTerm: 6, transfer: false },
  { ...env, type: 'vote', lastIndex: MAX_U53, lastTerm: MAX_U53, transfer: true },
  { ...env, type: 'pre-vote-resp', reject: true },
  { ...env, type: 'vote-resp', reject: false },
  { ...env, type: 'append', prevIndex: 0, prevTerm: 0, entries: [], commit: 0 },
  {
    ...env,
    type: 'append',
    prevIndex: 9,
    prevTerm: 6,
    commit: 9,
    entries: [
      { term: 7, index: 10, kind: 'normal', data: new Uint8Array(0) },
      { term: 7, index: 11, kind: 'normal', data: Uint8Array.from([0, 1, 0xff]) },
      { term: 7, index: 12, kind: 'config', change: { type: 'add-learner', node: 'n4' } },
      { term: 7, index: 13, kind: 'config', change: { type: 'promote', node: UNICODE_ID } },
      { term: 7, index: 14, kind: 'config', change: { type: 'remove', node: 'n'.repeat(255) } },
    ],
  },
  { ...env, type: 'append-resp', reject: true, index: 12, hintIndex: -1, hintTerm: 0 },
  { ...env, type: 'append-resp', reject: false, index: 12, hintIndex: MAX_U53, hintTerm: MAX_U53 },
  { ...env, type: 'heartbeat', commit: 5, ctx: null },
  { ...env, type: 'heartbeat', commit: 5, ctx: '' },
  { ...env, type: 'heartbeat-resp', ctx: 'round-17' },
  { ...env, type: 'heartbeat-resp', ctx: null },
  { ...env, type: 'snapshot', meta: META, size: 1000, offset: 256, chunk: Uint8Array.from({ length: 256 }, (_, i) => i) },
  { ...env, type: 'snapshot', meta: { index: 0, term: 0, conf: { voters: [], learners: [] } }, size: 0, offset: 0, chunk: new Uint8Array(0) },
  { ...env, type: 'snapshot-resp', index: 40, offset: 1000, reject: false },
  { ...env, type: 'timeout-now' },
  { ...env, from: UNICODE_ID, term: 0, type: 'read-index', ctx: '\uFEFFread 日本' },
  { ...env, type: 'read-index-resp', ctx: 'r1', index: 0 },
  { ...env, type: 'propose', entries: [new TextEncoder().encode('{"v":1,"op":"delete","key":"a"}'), new Uint8Array(0)] },
  { ...env, type: 'propose', entries: [] },
];

function accepted(result: RaftDecoded): Message[] {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.value;
}

function refusal(result: RaftDecoded): string {
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.value)}`);
  return result.reason;
}

const roundTrip = (messages: readonly Message[]): Message[] => accepted(decodeRaftMessages(encodeRaftMessages(messages)));

// --- hand-made frames: bytes are written out here, independently of the encoder

type Part = number | readonly number[];
const cat = (...parts: Part[]): number[] => parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p]));
const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u53 = (n: number): number[] => cat(u32(Math.floor(n / 2 ** 32)), u32(n % 2 ** 32));
const id = (s: string): number[] => {
  const b = new TextEncoder().encode(s);
  return [b.length, ...b];
};
/** Magic, version, count and body, sealed with the CRC-32 of zlib. */
function frame(count: number, ...body: Part[]): Uint8Array {
  const head = cat(0x44, 0x52, RAFT_WIRE_VERSION, u32(count), ...body);
  return Uint8Array.from(cat(head, u32(zlibCrc32(Uint8Array.from(head)))));
}
/** Replaces the CRC of a frame (edited by a test) with the right one. */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, zlibCrc32(out.subarray(0, -4)));
  return out;
}
const envelope = (type: number, from = 'n1', to = 'n2', term = 7): number[] => cat(type, id(from), id(to), u53(term));
const TIMEOUT_NOW = envelope(RAFT_MESSAGE_TYPES['timeout-now']);

/** The bytes of the worked example in docs/raft.md: the leading hex pairs of each line of its code block. */
function docsExampleHex(): string {
  const docs = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'raft.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## Wire format'));
  const block = /### Example\n[\s\S]*?```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => /^((?:[0-9a-f]{2} ?)+)/.exec(line.trim())?.[1] ?? '')
    .join('')
    .replaceAll(' ', '');
}

describe('frame layout (docs/raft.md, "Wire format")', () => {
  const append: Message = { type: 'append', from: 'n1', to: 'n2', term: 5, prevIndex: 3, prevTerm: 2, commit: 3, entries: [{ term: 5, index: 4, kind: 'normal', data: Uint8Array.from([0xab]) }] };

  it('the worked example of the docs is what the encoder makes of its append', () => {
    expect(docsExampleHex()).toBe(Buffer.from(encodeRaftMessages([append])).toString('hex'));
  });

  it('an append of one entry is laid out byte for byte as the docs say', () => {
    const hex = Buffer.from(encodeRaftMessages([append])).toString('hex');
    const expected = [
      '4452', // magic "DR"
      '01', // version 1
      '00000001', // 1 message
      '05', // type 5: append
      '026e31', // from "n1"
      '026e32', // to "n2"
      '0000000000000005', // term 5
      '0000000000000003', // prevIndex 3
      '0000000000000002', // prevTerm 2
      '0000000000000003', // commit 3
      '00000001', // 1 entry
      '0000000000000005', // entry term 5
      '0000000000000004', // entry index 4
      '00', // kind 0: normal
      '00000001ab', // data: 1 byte, 0xab
    ].join('');
    expect(hex).toBe(expected + 'fb48bb3a');
    expect(zlibCrc32(Buffer.from(expected, 'hex'))).toBe(0xfb48bb3a);
    expect(hex.length / 2).toBe(76);
  });

  it('a u53 is two big-endian u32 words, high first; hintIndex -1 is 64-bit two\'s complement', () => {
    const resp: Message = { ...env, type: 'append-resp', reject: true, index: 2 ** 32 + 5, hintIndex: -1, hintTerm: 0 };
    const body = cat(envelope(RAFT_MESSAGE_TYPES['append-resp']), 1, u53(2 ** 32 + 5), Array(8).fill(0xff), u53(0));
    expect(encodeRaftMessages([resp])).toEqual(frame(1, body));
  });

  it('the hand-made bytes of a heartbeat without and with ctx decode to the messages they stand for', () => {
    const type = RAFT_MESSAGE_TYPES.heartbeat;
    const bytes = frame(2, envelope(type), u53(4), 0, envelope(type), u53(4), 1, [0, 2], 0x61, 0x62);
    expect(accepted(decodeRaftMessages(bytes))).toEqual([
      { ...env, type: 'heartbeat', commit: 4, ctx: null },
      { ...env, type: 'heartbeat', commit: 4, ctx: 'ab' },
    ]);
  });

  it('type numbers are the documented, append-only ones', () => {
    expect(RAFT_MESSAGE_TYPES).toEqual({
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
    });
  });
});

describe('every message type round-trips', () => {
  it('the examples cover every message type', () => {
    expect(new Set(ONE_OF_EACH.map((m) => m.type))).toEqual(new Set(Object.keys(RAFT_MESSAGE_TYPES)));
  });

  it.each(ONE_OF_EACH.map((m, i) => [`${i}: ${m.type}`, m] as const))('%s', (_, m) => {
    expect(roundTrip([m])).toEqual([m]);
  });

  it('all of them together in one frame, in order', () => {
    expect(roundTrip(ONE_OF_EACH)).toEqual(ONE_OF_EACH);
  });

  it('decoded bytes are copies: changing the frame afterwards changes no message', () => {
    const m: Message = { ...env, type: 'snapshot', meta: META, size: 3, offset: 0, chunk: Uint8Array.from([1, 2, 3]) };
    const bytes = encodeRaftMessages([m]);
    const [decoded] = accepted(decodeRaftMessages(bytes));
    bytes.fill(0);
    expect(decoded).toEqual(m);
  });

  it('a frame inside a larger buffer (a subarray) decodes the same', () => {
    const bytes = encodeRaftMessages(ONE_OF_EACH);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(accepted(decodeRaftMessages(padded.subarray(5, 5 + bytes.length)))).toEqual(ONE_OF_EACH);
  });
});

describe('decoding refuses a broken frame, naming the fault and its byte offset', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty input', new Uint8Array(0), /^frame: truncated, 0 bytes, the smallest frame has 11 at byte 0$/],
    ['a short frame', Uint8Array.from([0x44, 0x52, 1]), /^frame: truncated, 3 bytes.* at byte 3$/],
    ['another magic', Uint8Array.from([0x44, 0x4e, ...frame(1, TIMEOUT_NOW).subarray(2)]), /^magic: not a Raft frame .* at byte 0$/],
    ['another version', reseal(Uint8Array.from([0x44, 0x52, 2, ...frame(1, TIMEOUT_NOW).subarray(3)])), /^version: 2 is not 1 at byte 2$/],
    ['a bad CRC', Uint8Array.from([...frame(1, TIMEOUT_NOW).subarray(0, -1), 0]), /^CRC: frame says 0x[0-9a-f]+, its bytes give 0x[0-9a-f]+ at byte 22$/],
    ['a count of 0', frame(0), /^message count: a frame holds at least one message at byte 3$/],
    ['a count over the limit', frame(MAX_MESSAGES_PER_FRAME + 1, TIMEOUT_NOW), /^message count: count 65537 is over the limit 65536 at byte 3$/],
    ['a count the bytes cannot hold', frame(2, TIMEOUT_NOW), /^message count: count 2 cannot fit in the 15 bytes left at byte 3$/],
    ['fewer messages than counted', frame(2, TIMEOUT_NOW, 11, id('n1'), id('n2'), u32(0)), /^messages\[1\]\.term: truncated, needs 8 bytes, 4 left at byte 29$/],
    ['trailing bytes', frame(1, TIMEOUT_NOW, 0), /^frame: 1 trailing bytes at byte 22$/],
    ['an unknown type', frame(1, envelope(0)), /^messages\[0\]\.type: unknown message type 0 at byte 7$/],
    ['a type past the last', frame(1, envelope(15)), /^messages\[0\]\.type: unknown message type 15 at byte 7$/],
    ['an empty id', frame(1, 11, id(''), id('n2'), u53(1)), /^messages\[0\]\.from: length 0 is outside 1\.\.255 at byte 8$/],
    ['invalid UTF-8', frame(1, 11, [2, 0xc0, 0xaf], id('n2'), u53(1)), /^messages\[0\]\.from: invalid UTF-8 at byte 9$/],
    ['a surrogate in UTF-8', frame(1, 11, [3, 0xed, 0xa0, 0x80], id('n2'), u53(1)), /^messages\[0\]\.from: invalid UTF-8 at byte 9$/],
    ['a term over 2^53-1', frame(1, 11, id('n1'), id('n2'), u32(0x200000), u32(0)), /^messages\[0\]\.term: high word 0x200000 is over 2\^53-1 at byte 14$/],
    ['a boolean of 2', frame(1, envelope(4), 2), /^messages\[0\] \(vote-resp\)\.reject: boolean must be 0 or 1, got 2 at byte 22$/],
    ['a ctx present flag of 2', frame(1, envelope(8), 2), /^messages\[0\] \(heartbeat-resp\)\.ctx present: boolean must be 0 or 1, got 2 at byte 22$/],
    ['a ctx past the end', frame(1, envelope(12), [0, 9], 0x61), /^messages\[0\] \(read-index\)\.ctx: truncated, needs 9 bytes, 1 left at byte 24$/],
    ['an i53 below -(2^53-1)', frame(1, envelope(6), 1, u53(1), u32(0xffe00000), u32(0), u53(0)), /^messages\[0\] \(append-resp\)\.hintIndex: -9007199254740992 is outside .* at byte 31$/],
    ['an entry count the bytes cannot hold', frame(1, envelope(5), u53(0), u53(0), u53(0), u32(1), u53(1)), /^messages\[0\] \(append\)\.entries count: count 1 cannot fit in the 8 bytes left at byte 46$/],
    ['an unknown entry kind', frame(1, envelope(5), u53(0), u53(0), u53(0), u32(1), u53(1), u53(1), 2, u32(0)), /^messages\[0\] \(append\)\.entries\[0\]\.kind: unknown value 2 at byte 66$/],
    [
      'an unknown conf change',
      frame(1, envelope(5), u53(0), u53(0), u53(0), u32(1), u53(1), u53(1), 1, 3, id('n3')),
      /^messages\[0\] \(append\)\.entries\[0\]\.change\.type: unknown value 3 at byte 67$/,
    ],
    ['entry data past the end', frame(1, envelope(5), u53(0), u53(0), u53(0), u32(1), u53(1), u53(1), 0, u32(5), 1), /^messages\[0\] \(append\)\.entries\[0\]\.data: count 5 cannot fit in the 1 bytes left at byte 67$/],
    [
      'a chunk over 16 MiB',
      frame(1, envelope(9), u53(1), u53(1), u32(0), u32(0), u53(0), u53(0), u32(MAX_CHUNK_BYTES + 1)),
      /^messages\[0\] \(snapshot\)\.chunk: count 16777217 is over the limit 16777216 at byte 62$/,
    ],
    ['conf voters over the limit', frame(1, envelope(9), u53(1), u53(1), u32(4097)), /^messages\[0\] \(snapshot\)\.meta\.conf\.voters count: count 4097 is over the limit 4096 at byte 38$/],
  ];

  it.each(cases)('%s', (_, bytes, reason) => {
    expect(refusal(decodeRaftMessages(bytes))).toMatch(reason);
  });

  it('a frame over 64 MiB is refused before any byte of it is read', () => {
    expect(refusal(decodeRaftMessages(new Uint8Array(MAX_FRAME_BYTES + 1)))).toBe(`frame: 67108865 bytes, over the limit of 67108864 at byte 67108864`);
  });

  it('the valid neighbours of those cases are accepted, so each case fails for the reason it names', () => {
    expect(accepted(decodeRaftMessages(frame(1, TIMEOUT_NOW)))).toEqual([{ ...env, type: 'timeout-now' }]);
    expect(accepted(decodeRaftMessages(frame(1, envelope(12), [0, 1], 0x61)))).toEqual([{ ...env, type: 'read-index', ctx: 'a' }]);
    expect(accepted(decodeRaftMessages(frame(1, 11, id('n1'), id('n2'), u32(0x1fffff), u32(0xffffffff))))).toEqual([{ ...env, term: MAX_U53, type: 'timeout-now' }]);
  });
});

describe('encoding refuses what the wire cannot carry, naming the field', () => {
  const vote = (fields: Partial<Extract<Message, { type: 'pre-vote' | 'vote' }>>): Message => ({ ...env, type: 'vote', lastIndex: 1, lastTerm: 1, transfer: false, ...fields });
  const normal = (data: Uint8Array): Entry => ({ term: 1, index: 1, kind: 'normal', data });
  const cases: [string, () => unknown, RegExp][] = [
    ['no messages', () => encodeRaftMessages([]), /a frame holds 1\.\.65536 messages, got 0/],
    ['a fractional term', () => encodeRaftMessages([vote({ term: 1.5 })]), /messages\[0\]\.term must be an integer 0\.\.2\^53-1, got 1\.5/],
    ['a negative index', () => encodeRaftMessages([vote({ lastIndex: -1 })]), /messages\[0\]\.lastIndex must be an integer/],
    ['an index past 2^53-1', () => encodeRaftMessages([vote({ lastIndex: 2 ** 53 })]), /messages\[0\]\.lastIndex must be an integer/],
    ['NaN', () => encodeRaftMessages([vote({ lastTerm: NaN })]), /messages\[0\]\.lastTerm must be an integer/],
    ['an empty id', () => encodeRaftMessages([vote({ to: '' })]), /messages\[0\]\.to must be 1\.\.255 bytes of UTF-8, got 0/],
    ['an id of 256 bytes', () => encodeRaftMessages([vote({ from: 'x'.repeat(256) })]), /messages\[0\]\.from must be 1\.\.255 bytes/],
    ['a lone surrogate', () => encodeRaftMessages([{ ...env, type: 'read-index', ctx: '\uD800' }]), /messages\[0\]\.ctx is not well-formed Unicode/],
    ['a ctx over 65535 bytes', () => encodeRaftMessages([{ ...env, type: 'read-index', ctx: 'c'.repeat(65536) }]), /messages\[0\]\.ctx must be 0\.\.65535 bytes/],
    [
      'a chunk over 16 MiB',
      () => encodeRaftMessages([{ ...env, type: 'snapshot', meta: META, size: 1, offset: 0, chunk: new Uint8Array(MAX_CHUNK_BYTES + 1) }]),
      /messages\[0\]\.chunk may hold at most 16777216, got 16777217/,
    ],
    [
      'an unknown entry kind',
      () => encodeRaftMessages([{ ...env, type: 'append', prevIndex: 0, prevTerm: 0, commit: 0, entries: [{ term: 1, index: 1, kind: 'blob' } as unknown as Entry] }]),
      /messages\[0\]\.entries\[0\]\.kind must be one of normal, config, got blob/,
    ],
    [
      'a frame over 64 MiB',
      () => encodeRaftMessages([{ ...env, type: 'append', prevIndex: 0, prevTerm: 0, commit: 0, entries: [normal(new Uint8Array(40 << 20)), normal(new Uint8Array(30 << 20))] }]),
      /the frame grows over MAX_FRAME_BYTES \(67108864\) at messages\[0\]/,
    ],
    ['an unknown message type', () => encodeRaftMessages([{ ...env, type: 'gossip' } as unknown as Message]), /messages\[0\]\.type is not a message type: gossip/],
  ];

  it.each(cases)('%s', (_, encode, message) => {
    expect(encode).toThrow(RangeError);
    expect(encode).toThrow(message);
  });
});

// --- arbitraries that generate every valid Message

const u53Arb = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.maxSafeNat());
const idArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }); // at most 32 bytes
const ctxArb = fc.string({ unit: 'binary', maxLength: 12 });
const bytesArb = fc.uint8Array({ maxLength: 40 });
const entryArb: fc.Arbitrary<Entry> = fc.oneof(
  fc.record({ term: u53Arb, index: u53Arb, kind: fc.constant('normal' as const), data: bytesArb }),
  fc.record({
    term: u53Arb,
    index: u53Arb,
    kind: fc.constant('config' as const),
    change: fc.record({ type: fc.constantFrom('add-learner' as const, 'promote' as const, 'remove' as const), node: idArb }),
  }),
);
const metaArb: fc.Arbitrary<SnapshotMeta> = fc.record({
  index: u53Arb,
  term: u53Arb,
  conf: fc.record({ voters: fc.array(idArb, { maxLength: 5 }), learners: fc.array(idArb, { maxLength: 3 }) }),
});
const e = { from: idArb, to: idArb, term: u53Arb };
const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ ...e, type: fc.constantFrom('pre-vote' as const, 'vote' as const), lastIndex: u53Arb, lastTerm: u53Arb, transfer: fc.boolean() }),
  fc.record({ ...e, type: fc.constantFrom('pre-vote-resp' as const, 'vote-resp' as const), reject: fc.boolean() }),
  fc.record({ ...e, type: fc.constant('append' as const), prevIndex: u53Arb, prevTerm: u53Arb, entries: fc.array(entryArb, { maxLength: 5 }), commit: u53Arb }),
  fc.record({ ...e, type: fc.constant('append-resp' as const), reject: fc.boolean(), index: u53Arb, hintIndex: fc.oneof(fc.constant(-1), fc.maxSafeInteger()), hintTerm: u53Arb }),
  fc.record({ ...e, type: fc.constant('heartbeat' as const), commit: u53Arb, ctx: fc.option(ctxArb) }),
  fc.record({ ...e, type: fc.constant('heartbeat-resp' as const), ctx: fc.option(ctxArb) }),
  fc.record({ ...e, type: fc.constant('snapshot' as const), meta: metaArb, size: u53Arb, offset: u53Arb, chunk: bytesArb }),
  fc.record({ ...e, type: fc.constant('snapshot-resp' as const), index: u53Arb, offset: u53Arb, reject: fc.boolean() }),
  fc.record({ ...e, type: fc.constant('timeout-now' as const) }),
  fc.record({ ...e, type: fc.constant('read-index' as const), ctx: ctxArb }),
  fc.record({ ...e, type: fc.constant('read-index-resp' as const), ctx: ctxArb, index: u53Arb }),
  fc.record({ ...e, type: fc.constant('propose' as const), entries: fc.array(bytesArb, { maxLength: 4 }) }),
);
const batchArb = fc.array(messageArb, { minLength: 1, maxLength: 6 });

/** A decode that is accepted must be exactly what the encoder makes of its result: the format has one encoding per batch. */
function expectCanonical(bytes: Uint8Array): void {
  const result = decodeRaftMessages(bytes);
  if (!result.ok) {
    expect(result.reason).toMatch(/ at byte \d+$/);
    return;
  }
  expect(encodeRaftMessages(result.value)).toEqual(bytes);
}

describe('properties', () => {
  it('decode(encode(batch)) deep-equals the batch, for batches of every message type', () => {
    fc.assert(
      fc.property(batchArb, (batch) => {
        expect(roundTrip(batch)).toEqual(batch);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes never throw: they are refused with a reason or decode canonically', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.integer({ min: 0, max: 3 }), (body, count) => {
        expectCanonical(body);
        expectCanonical(frame(count, [...body]));
        expectCanonical(frame(1, body[0] ?? 0, id('n1'), id('n2'), u53(1), [...body.subarray(1)]));
      }),
      { numRuns: 1000 },
    );
  });

  it('every single-byte change and every truncation of a valid frame is refused (the CRC covers every byte)', () => {
    fc.assert(
      fc.property(batchArb, fc.integer({ min: 1, max: 255 }), (batch, delta) => {
        const original = encodeRaftMessages(batch.slice(0, 2));
        for (let i = 0; i < original.length; i++) {
          const mutated = original.slice();
          mutated[i] = (mutated[i] ?? 0) ^ delta;
          expect(refusal(decodeRaftMessages(mutated))).toMatch(/ at byte \d+$/);
          expect(refusal(decodeRaftMessages(original.subarray(0, i)))).toMatch(/ at byte \d+$/);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a single-byte change with the CRC made right again is refused by the body rules or decodes canonically', () => {
    fc.assert(
      fc.property(batchArb, fc.integer({ min: 1, max: 255 }), (batch, delta) => {
        const original = encodeRaftMessages(batch.slice(0, 2));
        for (let i = 0; i < original.length - 4; i++) {
          const mutated = original.slice();
          mutated[i] = (mutated[i] ?? 0) ^ delta;
          expectCanonical(reseal(mutated));
        }
      }),
      { numRuns: 100 },
    );
  });
});
