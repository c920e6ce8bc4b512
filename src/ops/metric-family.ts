/**
 * What a metric family is and what it reads: the types shared by the family
 * tables (metrics-families.ts, metrics-listener-families.ts,
 * metrics-raft-families.ts) and the registry that serves them (metrics.ts).
 * The tables import this file and not each other.
 */
import type { StatusSnapshot } from './snapshot.js';

/** What one scrape reads: a fresh snapshot and the stream drop counts. */
export interface ScrapeInput {
  readonly snapshot: StatusSnapshot;
  /** Streaming clients dropped for falling behind, by stream. */
  readonly streamDrops: Readonly<Record<'status' | 'monitor', number>>;
  /** What the listeners refused and lost; absent in a scrape without listeners. */
  readonly listeners?: ListenerReadings;
}

export type Sample = readonly [labels: Readonly<Record<string, string>>, value: number];

export interface Family {
  /** Prometheus conventions: `dinc_` prefix, base units, counters end in `_total`. */
  readonly name: string;
  readonly help: string;
  /** A counter mirrors a total that only grows; a gauge is a value as of now. */
  readonly type: 'counter' | 'gauge';
  readonly labels: readonly string[];
  readonly read: (input: ScrapeInput) => readonly Sample[];
}

/** What the listeners counted, as runtime/listener-stats.ts keeps it. */
export interface ListenerReadings {
  refusals(): ReadonlyArray<{ readonly listener: string; readonly reason: string; readonly count: number }>;
  entries(): ReadonlyArray<readonly [string, { readonly clientErrors: Readonly<Record<string, number>>; readonly aborted: number }]>;
}
