/**
 * Durations and sizes as people write them in cluster.conf: `500ms`, `2s`,
 * `1m30s`, `64KiB`, `1MB`. Each parser returns the value in its base unit
 * (milliseconds, bytes) or throws a RangeError whose message says what is
 * valid.
 */

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Parses `250ms`, `2s`, `1m30s`, `1.5h` or `0` into milliseconds. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const usage = 'a duration with a unit, such as 500ms, 2s, 1m30s (units: ms, s, m, h, d)';
  if (s === '') throw new RangeError(`must be ${usage}`);
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < s.length) {
    const at = DURATION_PART.lastIndex;
    const m = DURATION_PART.exec(s);
    if (!m || m.index !== at) {
      throw new RangeError(/^\d+(\.\d+)?$/.test(s) ? `needs a unit: must be ${usage}` : `must be ${usage}`);
    }
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
  }
  if (!Number.isFinite(total) || total > Number.MAX_SAFE_INTEGER) throw new RangeError('is too large');
  return Math.round(total);
}

/** Parses `64KiB`, `1MB`, `512` (bytes) into a whole number of bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? (m[2] as string).toLowerCase() || 'b' : '';
  const factor = Object.hasOwn(SIZE_UNITS, unit) ? SIZE_UNITS[unit] : undefined;
  if (!m || factor === undefined) {
    throw new RangeError('must be a size such as 512, 64KiB, 1MB (units: B, KB, MB, GB, KiB, MiB, GiB)');
  }
  const bytes = Number(m[1]) * factor;
  if (!Number.isSafeInteger(Math.round(bytes))) throw new RangeError('is too large');
  return Math.round(bytes);
}

/** Writes milliseconds back in the largest exact unit: 1500 -> `1500ms`, 120000 -> `2m`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, factor] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % factor === 0) return `${ms / factor}${unit}`;
  }
  return `${ms}ms`;
}

/** Writes bytes back in the largest exact binary unit: 65536 -> `64KiB`. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes !== 0 && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}B`;
}
