// Promises: percentiles (nearest rank) and a latency summary of a list of
// numbers; pure functions, no I/O.

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** { n, p50, p99, mean, max } of the values (any order); nulls when empty. */
export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const mean = n === 0 ? null : sorted.reduce((a, b) => a + b, 0) / n;
  return { n, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean, max: n === 0 ? null : sorted[n - 1] };
}
