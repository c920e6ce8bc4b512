/**
 * Questions asked of a simulated membership cluster, shared by the
 * simulation tests and the benchmark.
 */
import { elect } from '../../src/core/election/leader.js';
import type { MemberState } from '../../src/core/membership/types.js';
import type { MembershipSim, SimEvent } from './membership-cluster.js';

/** Every live node other than `subject` sees `subject` in `state`. */
export function everyoneSees(sim: MembershipSim, subject: string, state: MemberState, observers: readonly string[] = sim.liveIds()): boolean {
  return observers.every((o) => o === subject || sim.stateOf(o, subject) === state);
}

/** Every node of `observers` sees every node of `subjects` in `state`. */
export function groupSees(sim: MembershipSim, observers: readonly string[], subjects: readonly string[], state: MemberState): boolean {
  return observers.every((o) => subjects.every((s) => sim.stateOf(o, s) === state));
}

/** The leader each live node elects from its own view (lowest natural-order ID with a quorum of `expected`). */
export function leaders(sim: MembershipSim, expected: number): Map<string, string | null> {
  return new Map(sim.liveIds().map((id) => [id, elect({ alive: sim.aliveView(id), expected, previous: null, preempt: true }).leader]));
}

/** The one leader all live nodes agree on, or undefined while they disagree. */
export function agreedLeader(sim: MembershipSim, expected: number): string | null | undefined {
  const [first, ...rest] = new Set(leaders(sim, expected).values());
  return rest.length === 0 ? first : undefined;
}

/** Events about `subject` of `type` at or after `since`. */
export function eventsAbout(events: readonly SimEvent[], subject: string, type: SimEvent['type'], since = 0): SimEvent[] {
  return events.filter((e) => e.subject === subject && e.type === type && e.time >= since);
}

/** A snapshot of what every live node believes about every member: `observer>subject` -> `state@incarnation`. */
export function viewSnapshot(sim: MembershipSim): Map<string, string> {
  const snap = new Map<string, string>();
  for (const o of sim.liveIds()) for (const m of sim.membership(o).members()) snap.set(`${o}>${m.id}`, `${m.state}@${m.incarnation}`);
  return snap;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
