/**
 * The envelope of every machine's snapshot: magic "DS", the machine kind, the
 * body's format version, a CRC-32 of the body, then the body. Unframing never
 * throws; a wrong kind, version or checksum is a reason, so a torn or foreign
 * snapshot is refused before its body is read.
 */
import { crc32 } from '../crc32.js';
import type { Checked } from './json.js';

/** Machine kinds; in snapshots on disk and on the wire: append only. */
export const MachineKind = { Kv: 1 } as const;
export type MachineKind = (typeof MachineKind)[keyof typeof MachineKind];

const MAGIC = [0x44, 0x53] as const; // "DS"
const HEADER_BYTES = 8; // magic 2, kind 1, version 1, crc 4

export function frameSnapshot(kind: MachineKind, version: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + body.length);
  out.set(MAGIC, 0);
  out[2] = kind;
  out[3] = version;
  new DataView(out.buffer).setUint32(4, crc32(body));
  out.set(body, HEADER_BYTES);
  return out;
}

/** The body of a snapshot of `kind` in format `version`, or why the bytes are not one. */
export function unframeSnapshot(data: Uint8Array, kind: MachineKind, version: number): Checked<Uint8Array> {
  if (data.length < HEADER_BYTES) return { ok: false, reason: `${data.length} bytes, shorter than the header` };
  if (data[0] !== MAGIC[0] || data[1] !== MAGIC[1]) return { ok: false, reason: 'not a snapshot (bad magic)' };
  if (data[2] !== kind) return { ok: false, reason: `a snapshot of machine kind ${data[2]}, not ${kind}` };
  if (data[3] !== version) return { ok: false, reason: `snapshot format version ${data[3]}, not ${version}` };
  const body = data.subarray(HEADER_BYTES);
  const expected = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(4);
  if (crc32(body) !== expected) return { ok: false, reason: 'checksum mismatch' };
  return { ok: true, value: body };
}
