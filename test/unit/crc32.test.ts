import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/core/crc32.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('crc32 is the IEEE CRC-32 of zlib', () => {
  it('gives the check value 0xCBF43926 for "123456789"', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
  });

  it('gives 0 for no bytes', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('gives the published values of common vectors, always unsigned', () => {
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(ascii('a'))).toBe(0xe8b7be43);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it('covers exactly bytes[start, end) when given a range', () => {
    const bytes = ascii('xx123456789yy');
    expect(crc32(bytes, 2, 11)).toBe(0xcbf43926);
    expect(crc32(bytes, 5, 5)).toBe(0);
    expect(crc32(bytes.subarray(2, 11))).toBe(0xcbf43926);
  });

  it('rejects a range outside the bytes with RangeError', () => {
    const bytes = ascii('abc');
    expect(() => crc32(bytes, -1)).toThrow(RangeError);
    expect(() => crc32(bytes, 2, 1)).toThrow(RangeError);
    expect(() => crc32(bytes, 0, 4)).toThrow(RangeError);
    expect(() => crc32(bytes, 0.5)).toThrow(RangeError);
  });

  it('agrees with node:zlib on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(crc32(bytes)).toBe(zlibCrc32(bytes));
      }),
      { numRuns: 300 },
    );
  });
});
