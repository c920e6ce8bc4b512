/**
 * The three codecs built on the shared ByteReader: random bytes (with valid
 * framing, so that the body is read) never make a decoder throw anything but
 * its own error, and the WAL payloads keep their on-disk bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/core/bytes/writer.js';
import { decodePacket, decodePushPull } from '../../../src/core/membership/codec.js';
import { decodeRaftMessages, RAFT_WIRE_VERSION } from '../../../src/core/raft/codec.js';
import {
  PayloadError,
  decodeEntry,
  decodeHardState,
  decodeMarker,
  decodeSnapshot,
  encodeEntry,
  encodeHardState,
  encodeMarker,
  encodeSnapshot,
} from '../../../src/runtime/raft/wal-payload.js';

const TAG = 0x01020304;

/** `head`, then `body`, then the CRC-32 of both. */
function framed(head: readonly number[], body: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  w.raw(Uint8Array.from(head));
  w.raw(body);
  return w.finishWithCrc();
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('membership codec: random bytes are dropped, never thrown', () => {
  it('random packets and push-pull frames, with and without valid framing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (body, frame) => {
        const packet = frame ? framed([0x44, 0x4e, 1, 0, 1, 2, 3, 4], body) : body;
        const pushPull = frame ? framed([0x44, 0x4e, 1, 1, 1, 2, 3, 4], body) : body;
        const a = decodePacket(packet, TAG);
        const b = decodePushPull(pushPull, TAG);
        if (!a.ok) expect(a.reason).toMatch(/^[a-z]+$/);
        if (!b.ok) expect(b.reason).toMatch(/^[a-z]+$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('Raft codec: random bytes give a reason naming the field and byte, never a throw', () => {
  it('random frames, with and without valid magic, version and CRC', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (body, frame) => {
        const decoded = decodeRaftMessages(frame ? framed([0x44, 0x52, RAFT_WIRE_VERSION], body) : body);
        if (!decoded.ok) expect(decoded.reason).toMatch(/ at byte \d+$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('WAL payloads: random bytes throw PayloadError or decode, and the bytes on disk do not change', () => {
  it('random payloads of every record type', () => {
    const decoders = [decodeHardState, decodeEntry, decodeMarker, decodeSnapshot];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        for (const decode of decoders) {
          try {
            decode(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(PayloadError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('invalid UTF-8 in a vote or a node ID is a PayloadError', () => {
    const vote = Uint8Array.from([...new Uint8Array(16), 1, 0xc3, 0x28]);
    expect(() => decodeHardState(vote)).toThrow(new PayloadError('vote: invalid UTF-8'));
    const change = Uint8Array.from([...new Uint8Array(16), 1, 0, 0xff]);
    expect(() => decodeEntry(change)).toThrow(PayloadError);
  });

  it('a number over 2^53 and a cut payload keep their messages', () => {
    expect(() => decodeMarker(new Uint8Array(17).fill(0xff))).toThrow(new PayloadError('number 18446744073709551615 is beyond 2^53'));
    expect(() => decodeMarker(Uint8Array.of(1, 2, 3))).toThrow(new PayloadError('payload too short: needs 8 bytes, has 3'));
  });

  it('every record type encodes to the same little-endian bytes as before', () => {
    expect(hex(encodeHardState({ term: 7, vote: 'n1', commit: 2 ** 40 + 3 }))).toBe('07000000000000000300000000010000016e31');
    expect(hex(encodeHardState({ term: 0, vote: null, commit: 0 }))).toBe('0000000000000000000000000000000000');
    expect(hex(encodeEntry({ term: 3, index: Number.MAX_SAFE_INTEGER, kind: 'normal', data: Uint8Array.of(1, 2, 3) }))).toBe(
      '0300000000000000ffffffffffff1f0000010203',
    );
    expect(hex(encodeEntry({ term: 3, index: 4, kind: 'config', change: { type: 'remove', node: 'nœud' } }))).toBe(
      '0300000000000000040000000000000001026ec5937564',
    );
    expect(hex(encodeMarker({ index: 9, term: 2, mode: 'compact' }))).toBe('0900000000000000020000000000000001');
    expect(hex(encodeSnapshot({ meta: { index: 10, term: 3, conf: { voters: ['a', 'bé'], learners: ['c'] } }, data: Uint8Array.of(9, 8) }))).toBe(
      '0a0000000000000003000000000000000200000001000000610300000062c3a90100000001000000630908',
    );
  });
});
