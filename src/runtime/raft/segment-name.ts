/**
 * Names of WAL segments, `wal/<seq>-<first index>.log` (both 16 decimal
 * digits): `seq` orders the segments; `first index` is the log's last index + 1
 * when the segment began, so every entry stored in the segments before it is
 * below that index.
 */

export interface SegmentName {
  readonly seq: number;
  readonly firstIndex: number;
}

const PATTERN = /^(\d{16})-(\d{16})\.log$/;
const pad = (n: number): string => String(n).padStart(16, '0');

export function segmentFileName(s: SegmentName): string {
  return `${pad(s.seq)}-${pad(s.firstIndex)}.log`;
}

/** The segments among `names` (other files ignored), in seq order. */
export function parseSegmentNames(names: readonly string[]): SegmentName[] {
  return names
    .flatMap((name) => {
      const m = PATTERN.exec(name);
      return m ? [{ seq: Number(m[1]), firstIndex: Number(m[2]) }] : [];
    })
    .sort((a, b) => a.seq - b.seq);
}

/**
 * The segments that may be deleted once a snapshot covers `snapshotIndex`:
 * all before the last one that began at or before `snapshotIndex + 1` (every
 * entry they hold is covered; every segment begins with the hard state).
 */
export function segmentsBehind(segments: readonly SegmentName[], snapshotIndex: number): SegmentName[] {
  let keepFrom = 0;
  segments.forEach((s, i) => {
    if (s.firstIndex <= snapshotIndex + 1) keepFrom = i;
  });
  return segments.slice(0, keepFrom);
}
