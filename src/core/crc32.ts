/**
 * The two reflected CRC-32s the project uses, each with initial value and
 * final xor 0xFFFFFFFF: CRC-32 (IEEE 802.3, the checksum of zlib, gzip and
 * PNG; polynomial 0xEDB88320) for wire frames and snapshots, and CRC-32C
 * (Castagnoli, the checksum of iSCSI, ext4 and etcd's WAL; polynomial
 * 0x82F63B78) for the write-ahead log.
 */

type Crc = (bytes: Uint8Array, start?: number, end?: number) => number;

/**
 * A CRC over `bytes[start, end)` as an unsigned 32-bit integer (0 for an empty
 * range); throws RangeError unless 0 <= start <= end <= length.
 */
function reflectedCrc32(polynomial: number, name: string): Crc {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (bytes, start = 0, end = bytes.length) => {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > bytes.length) {
      throw new RangeError(`${name}: range [${start}, ${end}) is not within 0..${bytes.length}`);
    }
    let crc = 0xffffffff;
    for (let i = start; i < end; i++) crc = (table[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  };
}

export const crc32: Crc = reflectedCrc32(0xedb88320, 'crc32');
export const crc32c: Crc = reflectedCrc32(0x82f63b78, 'crc32c');
