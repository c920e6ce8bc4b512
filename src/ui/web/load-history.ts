/** The recent load of each member, kept by the page between updates. */
import type { MemberStatus } from '../../ops/snapshot.js';

/** Samples kept per member: about a minute at one load report a second. */
export const HISTORY_SAMPLES = 60;

export interface LoadSeries {
  readonly cpu: readonly number[];
  readonly lag: readonly number[];
}

interface Series {
  cpu: number[];
  lag: number[];
  /** `heard_at` of the last sample, so a report seen twice counts once. */
  lastHeardAt: string;
}

export class LoadHistory {
  private readonly byId = new Map<string, Series>();

  constructor(private readonly capacity = HISTORY_SAMPLES) {}

  /** Takes each member's latest load report, once per report; forgets members that are gone. */
  record(members: readonly MemberStatus[]): void {
    const ids = new Set(members.map((m) => m.id));
    for (const id of this.byId.keys()) if (!ids.has(id)) this.byId.delete(id);
    for (const m of members) {
      if (m.load === null) continue;
      const series = this.byId.get(m.id) ?? { cpu: [], lag: [], lastHeardAt: '' };
      if (series.lastHeardAt === m.load.heard_at) continue;
      series.lastHeardAt = m.load.heard_at;
      series.cpu = [...series.cpu, m.load.cpu].slice(-this.capacity);
      series.lag = [...series.lag, m.load.lag_ms].slice(-this.capacity);
      this.byId.set(m.id, series);
    }
  }

  /** The samples of member `id`, oldest first; empty before its first report. */
  of(id: string): LoadSeries {
    const series = this.byId.get(id);
    return series ? { cpu: series.cpu, lag: series.lag } : { cpu: [], lag: [] };
  }
}
