/**
 * Changes between two snapshots, so that a stream sends the snapshot once
 * and then only what changed. Pure and shared by the agent (diff) and every
 * client, the web UI included (apply): `applyPatch(a, diffSnapshot(a, b))`
 * equals `b`.
 */
import { compareNatural } from '../core/election/natural-order.js';
import { EVENT_LIMIT, type ClusterEvent, type MemberStatus, type StatusSnapshot } from './snapshot.js';

type Whole = Omit<StatusSnapshot, 'members' | 'events'>;

export interface SnapshotPatch {
  /** Top-level fields replaced whole. */
  readonly set: Partial<Whole>;
  /** Members added or changed, and ids of members gone. */
  readonly upsert: readonly MemberStatus[];
  readonly remove: readonly string[];
  /** Events that happened since, oldest first. */
  readonly events: readonly ClusterEvent[];
}

/** A message of `GET /v1/stream`. */
export type StreamMessage = { readonly type: 'snapshot'; readonly snapshot: StatusSnapshot } | { readonly type: 'patch'; readonly patch: SnapshotPatch };

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What turns `a` into `b`; null when nothing but the time changed. */
export function diffSnapshot(a: StatusSnapshot, b: StatusSnapshot): SnapshotPatch | null {
  const set: Record<string, unknown> = {};
  for (const key of Object.keys(b) as (keyof Whole)[]) {
    if ((key as string) === 'members' || (key as string) === 'events' || key === 'time') continue;
    if (!same(a[key], b[key])) set[key] = b[key];
  }
  const before = new Map(a.members.map((m) => [m.id, m]));
  const upsert = b.members.filter((m) => !same(before.get(m.id), m));
  const ids = new Set(b.members.map((m) => m.id));
  const remove = a.members.filter((m) => !ids.has(m.id)).map((m) => m.id);
  const events = newEvents(a.events, b.events);
  if (Object.keys(set).length === 0 && upsert.length === 0 && remove.length === 0 && events.length === 0) return null;
  set.time = b.time;
  return { set, upsert, remove, events };
}

/** `snapshot` with `patch` applied; members stay in natural order of id. */
export function applyPatch(snapshot: StatusSnapshot, patch: SnapshotPatch): StatusSnapshot {
  const members = new Map(snapshot.members.map((m) => [m.id, m]));
  for (const id of patch.remove) members.delete(id);
  for (const m of patch.upsert) members.set(m.id, m);
  return {
    ...snapshot,
    ...patch.set,
    members: [...members.values()].sort((x, y) => compareNatural(x.id, y.id)),
    events: [...snapshot.events, ...patch.events].slice(-EVENT_LIMIT),
  };
}

/** The events of `b` after the last one `a` has. */
function newEvents(a: readonly ClusterEvent[], b: readonly ClusterEvent[]): ClusterEvent[] {
  const last = a.at(-1);
  if (last === undefined) return [...b];
  for (let i = b.length - 1; i >= 0; i--) if (same(b[i], last)) return b.slice(i + 1);
  return [...b];
}
