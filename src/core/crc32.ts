/**
 * CRC-32 (IEEE 802.3, the checksum of zlib, gzip and PNG): reflected
 * polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF.
 */

const TABLE: Uint32Array = makeTable();

function makeTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * Returns the CRC-32 of `bytes[start, end)` as an unsigned 32-bit integer
 * (0 for an empty range). Throws RangeError unless 0 <= start <= end <= length.
 */
export function crc32(bytes: Uint8Array, start = 0, end: number = bytes.length): number {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > bytes.length) {
    throw new RangeError(`crc32: range [${start}, ${end}) is not within 0..${bytes.length}`);
  }
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc = (TABLE[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
