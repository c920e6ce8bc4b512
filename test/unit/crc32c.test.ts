import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/core/crc32.js';
import { bytes } from './raft-storage/fixtures.js';

describe('crc32c is CRC-32C (Castagnoli)', () => {
  it('gives the check value 0xE3069283 for "123456789"', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
  });

  it('gives 0 for no bytes', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('gives the RFC 3720 (iSCSI) vectors, always unsigned', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });
});
