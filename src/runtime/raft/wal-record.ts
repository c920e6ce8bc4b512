/**
 * The record framing of WAL segments and snapshot files:
 *
 *   [length u32 LE][crc32c u32 LE][type u8][payload: length bytes]
 *
 * `length` counts the payload only; the CRC-32C covers the type byte and the
 * payload. Record types are stored on disk: append only.
 */
import { crc32c } from '../../core/crc32.js';

export const RecordType = {
  /** term, vote and commit (wal-payload.ts). */
  HardState: 1,
  /** one log entry; an entry at an index already stored truncates the log from there. */
  Entry: 2,
  /** a snapshot is durable in snap/: the log starts after it. */
  SnapshotMarker: 3,
  /** the body of a snap/*.snap file. */
  Snapshot: 4,
} as const; // on disk: append only
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

const KNOWN_TYPES = new Set<number>(Object.values(RecordType));
export const RECORD_HEADER_BYTES = 9;

export interface WalRecord {
  readonly type: RecordType;
  readonly payload: Uint8Array;
}

/** Returns the framed bytes of one record. */
export function encodeRecord(type: RecordType, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + payload.length);
  out[8] = type;
  out.set(payload, RECORD_HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32c(out.subarray(8)), true);
  return out;
}

/** A record read from `bytes` at `offset`, or why there is none there. */
type ReadResult = { readonly ok: true; readonly record: WalRecord; readonly end: number } | { readonly ok: false; readonly reason: string };

/** Reads the record at `offset`, checking its length, CRC and type. */
export function readRecordAt(bytes: Uint8Array, offset: number): ReadResult {
  if (bytes.length - offset < RECORD_HEADER_BYTES) return { ok: false, reason: 'incomplete record header' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(offset, true);
  const end = offset + RECORD_HEADER_BYTES + length;
  if (end > bytes.length) return { ok: false, reason: `record length ${length} runs past the end of the file` };
  if (crc32c(bytes.subarray(offset + 8, end)) !== view.getUint32(offset + 4, true)) return { ok: false, reason: 'CRC mismatch' };
  const type = bytes[offset + 8] ?? 0;
  if (!KNOWN_TYPES.has(type)) return { ok: false, reason: `unknown record type ${type}` };
  return { ok: true, record: { type: type as RecordType, payload: bytes.subarray(offset + RECORD_HEADER_BYTES, end) }, end };
}

/** What a scan of a file found: its good records, and where and why it stopped early (if it did). */
export interface ScanResult {
  /** Good records with the byte offset each starts at. */
  readonly records: readonly (WalRecord & { readonly offset: number })[];
  /** Bytes of good records from the start. */
  readonly goodBytes: number;
  readonly damage?: {
    readonly offset: number;
    readonly reason: string;
    /** Whether a valid record follows the damage: then it is not a torn tail but lost data. */
    readonly validDataFollows: boolean;
  };
}

/** Reads every record of a file, stopping at the first bad one. */
export function scanRecords(bytes: Uint8Array): ScanResult {
  const records: (WalRecord & { offset: number })[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const read = readRecordAt(bytes, offset);
    if (!read.ok) return { records, goodBytes: offset, damage: { offset, reason: read.reason, validDataFollows: validRecordAfter(bytes, offset + 1) } };
    records.push({ ...read.record, offset });
    offset = read.end;
  }
  return { records, goodBytes: offset };
}

function validRecordAfter(bytes: Uint8Array, from: number): boolean {
  for (let offset = from; offset + RECORD_HEADER_BYTES <= bytes.length; offset++) {
    if (readRecordAt(bytes, offset).ok) return true;
  }
  return false;
}
