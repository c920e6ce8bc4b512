/** Short, fixed formats for the numbers and times of the status view. */

/** How long before `now` `iso` was: "now", "42s ago", "3m ago", "5h ago", "2d ago"; "never" for null. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const seconds = Math.floor((now - Date.parse(iso)) / 1000);
  if (Number.isNaN(seconds)) return '?';
  if (seconds < 1) return 'now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** A duration in its two largest units: "45s", "12m 05s", "3h 25m", "4d 03h". */
export function duration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d ${two(Math.floor(s / 3600) % 24)}h`;
}

/** CPU percent of one core, to a tenth: "12.5%". */
export function percent(value: number): string {
  return `${value.toFixed(1)}%`;
}

/** Event-loop lag in at most six characters: "3.2ms", "212ms", "1.4s". */
export function lag(ms: number): string {
  if (ms < 9.95) return `${ms.toFixed(1)}ms`;
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The UTC time of day of an ISO time: "10:41:20"; "??:??:??" if it is not a time. */
export function clockTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '??:??:??' : new Date(ms).toISOString().slice(11, 19);
}
