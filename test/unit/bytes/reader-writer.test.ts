import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, type ShortRead } from '../../../src/core/bytes/reader.js';
import { ByteWriter } from '../../../src/core/bytes/writer.js';

/** The error of a made-up codec, to check that the reader throws only what its factory makes. */
class TestCodecError extends Error {
  constructor(
    readonly what: string,
    readonly offset: number,
    readonly short: ShortRead | undefined,
  ) {
    super(`${what} at byte ${offset}`);
  }
}
const testError = (what: string, offset: number, short?: ShortRead): TestCodecError => new TestCodecError(what, offset, short);
const reader = (bytes: Uint8Array, littleEndian = false): ByteReader => new ByteReader(bytes, testError, { littleEndian });

function caught(f: () => unknown): TestCodecError {
  try {
    f();
  } catch (e) {
    if (e instanceof TestCodecError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('ByteReader reads what ByteWriter wrote, in either byte order', () => {
  it('u8, u16, u32, i32, f32 and u64 round-trip big- and little-endian', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.record({
          u8: fc.integer({ min: 0, max: 0xff }),
          u16: fc.integer({ min: 0, max: 0xffff }),
          u32: fc.integer({ min: 0, max: 0xffffffff }),
          i32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
          f32: fc.float({ noNaN: true }),
          u64: fc.maxSafeNat(),
          raw: fc.uint8Array({ maxLength: 600 }),
        }),
        (le, v) => {
          const w = new ByteWriter(le, 1);
          w.u8(v.u8);
          w.u16(v.u16);
          w.u32(v.u32);
          w.i32(v.i32);
          w.f32(v.f32);
          w.u64(v.u64);
          w.raw(v.raw);
          expect(w.length).toBe(23 + v.raw.length);
          const r = reader(w.finish(), le);
          expect([r.u8('a'), r.u16('b'), r.u32('c'), r.i32('d'), r.f32('e'), r.u64('f'), r.copy(v.raw.length, 'g')]).toEqual([
            v.u8,
            v.u16,
            v.u32,
            v.i32,
            Math.fround(v.f32),
            BigInt(v.u64),
            v.raw,
          ]);
          r.done('end');
        },
      ),
    );
  });

  it('big-endian is the default, and little-endian writes the low byte first', () => {
    const be = new ByteWriter();
    be.u32(0x01020304);
    be.u16(0x0506);
    expect([...be.finish()]).toEqual([1, 2, 3, 4, 5, 6]);
    const le = new ByteWriter(true);
    le.u32(0x01020304);
    le.u64(0x0102);
    expect([...le.finish()]).toEqual([4, 3, 2, 1, 2, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('finishWithCrc appends the CRC-32 of everything written, big-endian', () => {
    const w = new ByteWriter();
    w.raw(new TextEncoder().encode('123456789'));
    expect(Buffer.from(w.finishWithCrc()).subarray(9).toString('hex')).toBe('cbf43926');
  });

  it('reads only its range of the array, and a sub-reader only its part', () => {
    const bytes = Uint8Array.of(9, 1, 2, 3, 4, 9);
    const r = new ByteReader(bytes, testError, { start: 1, end: 5 });
    const sub = r.sub(2, 'part');
    expect([sub.u8('x'), sub.u8('y'), sub.remaining]).toEqual([1, 2, 0]);
    expect(caught(() => sub.u8('z')).what).toBe('z: truncated, needs 1 bytes, 0 left');
    expect(r.u16('rest')).toBe(0x0304);
    expect(caught(() => r.u8('after')).offset).toBe(5);
  });
});

describe('ByteReader fails with the codec error, naming the field and the offset', () => {
  it('a read past the end is truncated, with how much it needed and how much was left', () => {
    const r = reader(Uint8Array.of(1, 2, 3));
    r.u8('first');
    const e = caught(() => r.u32('term'));
    expect(e.message).toBe('term: truncated, needs 4 bytes, 2 left at byte 1');
    expect(e.short).toEqual({ needs: 4, left: 2 });
    expect(r.offset).toBe(1); // nothing consumed
  });

  it('invalid UTF-8 fails at the start of the string; a leading BOM is kept', () => {
    const bad = reader(Uint8Array.of(0, 0xc3, 0x28));
    bad.u8('pad');
    const e = caught(() => bad.utf8(2, 'name'));
    expect([e.what, e.offset, e.short]).toEqual(['name: invalid UTF-8', 1, undefined]);
    expect(reader(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61)).utf8(4, 's')).toBe('\uFEFFa');
  });

  it('done fails on trailing bytes; fail throws at the offset given', () => {
    const r = reader(Uint8Array.of(1, 2));
    r.u8('a');
    expect(caught(() => r.done('frame')).message).toBe('frame: 1 trailing bytes at byte 1');
    expect(caught(() => r.fail('kind: unknown', 0)).message).toBe('kind: unknown at byte 0');
  });

  it('view aliases the input, copy does not', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4);
    const view = reader(bytes).view(2, 'v');
    const copy = reader(bytes).copy(2, 'c');
    bytes[0] = 7;
    expect([view[0], copy[0]]).toEqual([7, 1]);
  });

  it('random reads of random bytes return values or throw the codec error, never anything else', () => {
    const op = fc.oneof(
      fc.constantFrom('u8', 'u16', 'u32', 'i32', 'f32', 'u64', 'done'),
      fc.record({ n: fc.integer({ min: 0, max: 40 }), how: fc.constantFrom('view', 'copy', 'utf8', 'sub') }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), fc.array(op, { maxLength: 20 }), (bytes, le, ops) => {
        let r = reader(bytes, le);
        for (const o of ops) {
          try {
            if (typeof o === 'string') {
              if (o === 'done') r.done('frame');
              else r[o](o);
            } else if (o.how === 'sub') {
              r = r.sub(o.n, 'part');
            } else {
              r[o.how](o.n, o.how);
            }
          } catch (e) {
            expect(e).toBeInstanceOf(TestCodecError);
            const fault = e as TestCodecError;
            expect(fault.offset).toBeGreaterThanOrEqual(0);
            expect(fault.offset).toBeLessThanOrEqual(bytes.length);
          }
          expect(r.offset).toBeLessThanOrEqual(r.end);
        }
      }),
    );
  });
});
