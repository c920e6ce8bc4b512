/**
 * Hostile and broken input for the membership simulation: random bytes,
 * real packets corrupted behind a valid CRC, and well-formed messages that
 * make no sense (unknown members, absurd incarnations, foreign targets).
 */
import fc from 'fast-check';
import { crc32 } from '../../src/core/crc32.js';
import { MsgType, type PacketMessage } from '../../src/core/membership/messages.js';
import type { Address, MemberMeta } from '../../src/core/membership/types.js';
import type { Rng } from '../../src/core/rng.js';

/** `length` random bytes. */
export function randomBytes(rng: Rng, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = rng.int(256);
  return bytes;
}

/** A copy of an encoded packet with 1-4 bytes of its body changed and its CRC recomputed, so the decoder's own checks are what stands. */
export function corrupt(rng: Rng, packet: Uint8Array): Uint8Array {
  const bytes = packet.slice();
  const headerBytes = 8;
  const bodyEnd = bytes.length - 4;
  if (bodyEnd <= headerBytes) return bytes;
  for (let k = 1 + rng.int(4); k > 0; k--) bytes[headerBytes + rng.int(bodyEnd - headerBytes)] = rng.int(256);
  new DataView(bytes.buffer).setUint32(bodyEnd, crc32(bytes, 0, bodyEnd));
  return bytes;
}

/** Well-formed packet messages about `ids` (and strangers), with incarnations up to the wire's maximum. */
export function nonsenseMessage(ids: readonly string[]): fc.Arbitrary<PacketMessage> {
  const id = fc.oneof(fc.constantFrom(...ids, 'ghost'), fc.string({ minLength: 1, maxLength: 12 }));
  const addr: fc.Arbitrary<Address> = fc.record({ host: fc.oneof(fc.constant('10.0.0.1'), fc.ipV4()), port: fc.integer({ min: 1, max: 65_535 }) });
  const number = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(0xffffffff), fc.nat());
  const meta: fc.Arbitrary<MemberMeta> = fc.record({
    roles: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    services: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    tags: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    version: fc.string({ maxLength: 8 }),
  });
  const figure = fc.float({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true });
  return fc.oneof(
    fc.record({ type: fc.constant(MsgType.Ping), seq: number, target: id, from: id, fromAddr: addr }),
    fc.record({ type: fc.constant(MsgType.IndirectPing), seq: number, target: id, targetAddr: addr, from: id, fromAddr: addr, nack: fc.boolean() }),
    fc.record({ type: fc.constant(MsgType.Ack), seq: number, from: id }),
    fc.record({ type: fc.constant(MsgType.Nack), seq: number, from: id }),
    fc.record({ type: fc.constant(MsgType.Alive), id, incarnation: number, addr, meta }),
    fc.record({ type: fc.constant(MsgType.Suspect), id, incarnation: number, from: id }),
    fc.record({ type: fc.constant(MsgType.Dead), id, incarnation: number, from: id, left: fc.boolean() }),
    fc.record({ type: fc.constant(MsgType.Load), id, seq: number, cpu: figure, lagMs: figure }),
    fc.record({ type: fc.constant(MsgType.Announce), id, addr }),
  );
}
