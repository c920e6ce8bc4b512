/** Words and numbers as the page shows them. Pure: the time comes in as an argument. */
import type { LeaderStatus } from '../../ops/snapshot.js';

/** How long ago `iso` was, as of `nowMs`: "just now", "2s ago", "5m ago", "3h ago", "2d ago"; "never" for null. */
export function relativeTime(iso: string | null, nowMs: number): string {
  if (iso === null) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'unknown';
  const seconds = Math.floor((nowMs - then) / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** A duration in seconds as its two largest units: "42s", "5m 3s", "2h 10m", "3d 4h". */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const units: [number, string][] = [
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [size, unit] of units) {
    if (parts.length === 0 && rest < size && size > 1) continue;
    parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** CPU use in percent of one core, to a tenth under 10 %: "0.4 %", "37 %". */
export function formatCpu(percent: number): string {
  return `${percent < 10 ? percent.toFixed(1) : Math.round(percent).toString()} %`;
}

/** Event-loop lag: "0.8 ms", "12 ms", "1.5 s". */
export function formatLag(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms).toString()} ms`;
}

/** The local wall-clock time of `iso`, "14:03:27". */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '--:--:--';
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export interface QuorumText {
  /** "reached", "lost" or "own quorum". */
  readonly label: string;
  /** The counts behind it, "sees 3, needs 2"; empty when not known. */
  readonly detail: string;
  readonly ok: boolean;
}

/** The quorum in words; `counted` is false when the feed gave no counts (the SSE fallback). */
export function quorumText(leader: LeaderStatus, counted: boolean): QuorumText {
  if (leader.own_quorum) return { label: 'own quorum', detail: 'no cluster size set', ok: true };
  const { reached, seen, needed } = leader.quorum;
  return { label: reached ? 'reached' : 'lost', detail: counted ? `sees ${seen}, needs ${needed}` : '', ok: reached };
}
