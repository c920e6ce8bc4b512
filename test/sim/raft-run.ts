/**
 * One whole simulated Raft run from a seed: a 3- or 5-server group, clients
 * issuing operations, the nemesis for `chaosMs`, then everything healed and
 * the group left to settle: the clients' last operations finish and every
 * member catches up with a leader that has committed in its own term (if that
 * does not happen within `settleMs`, liveness is broken). Safety is checked
 * all along; at the end the clients' history is checked for
 * linearizability. The seed also picks the core's settings (batching, flow
 * control, snapshot chunks, pre-vote, check-quorum), the snapshot interval
 * and the disk's speed, so that many seeds cover many configurations.
 */
import type { RaftConfig } from '../../src/core/raft/types.js';
import { RaftCluster, streamRng } from './raft-cluster.js';
import { SimClient, type ClientOptions } from './raft-clients.js';
import { History } from './raft-history.js';
import { SafetyViolation } from './raft-invariants.js';
import { checkHistory, type HistoryVerdict } from './raft-linearizability.js';
import { Nemesis } from './raft-nemesis.js';
import type { TraceMode } from './raft-trace.js';

export interface RaftRunOptions {
  readonly seed: number;
  /** Voters at the start: 3 or 5. */
  readonly servers: number;
  readonly clients: number;
  /** Virtual milliseconds of faults. */
  readonly chaosMs: number;
  /** Virtual milliseconds allowed, after healing, for the group to settle. */
  readonly settleMs: number;
  /** Membership changes among the faults. */
  readonly membership: boolean;
  /** Overrides of the core's settings that the seed would pick (e.g. the planted bug). */
  readonly raft?: Partial<Omit<RaftConfig, 'id'>>;
  /** Wall-clock budget of the linearizability check per key. */
  readonly checkBudgetMs: number;
  readonly trace?: TraceMode;
  readonly print?: (line: string) => void;
}

export const DEFAULT_RUN: Omit<RaftRunOptions, 'seed'> = {
  servers: 3,
  clients: 4,
  chaosMs: 6000,
  settleMs: 10_000,
  membership: true,
  checkBudgetMs: 2000,
};

/** The run a seed stands for: 3 servers for odd seeds and 5 for even ones, unless `overrides` say otherwise. */
export function seedRun(seed: number, overrides: Partial<Omit<RaftRunOptions, 'seed'>> = {}): RaftRunOptions {
  return { ...DEFAULT_RUN, servers: seed % 2 === 1 ? 3 : 5, ...overrides, seed };
}

export interface RaftRunResult {
  readonly seed: number;
  /** The first broken property (safety, liveness or linearizability), with what shows it. */
  readonly violation?: string;
  /** Operations with a known outcome that the linearizability check covered. */
  readonly checked: number;
  /** Operations whose outcome is unknown (timed out). */
  readonly unknown: number;
  /** Keys whose check ran out of its budget (neither pass nor violation). */
  readonly undecidedKeys: number;
  /** Hash of the trace (empty with the trace off). */
  readonly traceHash: string;
  /** Virtual time at the end, and how many terms had a leader. */
  readonly endedAt: number;
  readonly terms: number;
}

const CLIENT_OPTIONS: ClientOptions = { keys: 3, timeoutMs: 1000, resendMs: 150, thinkMs: 20 };

/** The core's settings and the server's habits that this seed picks. */
function seedSettings(seed: number): {
  raft: Partial<Omit<RaftConfig, 'id'>>;
  snapshotEvery: number;
  diskLatencyMs: { min: number; max: number };
  wireCodec: boolean;
  tornWrites: boolean;
} {
  const rng = streamRng(seed, 5);
  const one = <T>(choices: readonly T[]): T => choices[rng.int(choices.length)] as T;
  const settings = {
    raft: {
      maxEntriesPerAppend: one([1, 2, 4, 8, 64, 256]),
      maxInflightAppends: one([1, 2, 8, 64]),
      snapshotChunkBytes: one([64, 1024, 256 * 1024]),
      preVote: rng.next() < 0.75,
      checkQuorum: rng.next() < 0.75,
    },
    snapshotEvery: one([8, 32, 128]),
    diskLatencyMs: one([
      { min: 0, max: 0 },
      { min: 0.1, max: 2 },
      { min: 1, max: 8 },
    ]),
    wireCodec: rng.next() < 0.5,
  };
  // Drawn last, so that the draws above stay what they were before this setting existed.
  const catchUpEntries = one([0, 0, 4, 64]);
  const catchUpBytes = catchUpEntries === 0 ? 0 : one([64, 1 << 20]);
  const tornWrites = rng.next() < 0.5;
  return { ...settings, raft: { ...settings.raft, catchUpEntries, catchUpBytes }, tornWrites };
}

export async function runRaftSim(options: RaftRunOptions): Promise<RaftRunResult> {
  const settings = seedSettings(options.seed);
  const cluster = new RaftCluster({
    seed: options.seed,
    servers: options.servers,
    raft: { ...settings.raft, ...options.raft },
    snapshotEvery: settings.snapshotEvery,
    diskLatencyMs: settings.diskLatencyMs,
    wireCodec: settings.wireCodec,
    tornWrites: settings.tornWrites,
    trace: options.trace ?? 'off',
    ...(options.print ? { print: options.print } : {}),
  });
  cluster.trace.log('sim', () => `seed ${options.seed}: ${options.servers} servers, ${JSON.stringify(settings)}`);
  cluster.start();
  const history = new History();
  const clients = Array.from(
    { length: options.clients },
    (_, i) =>
      new SimClient(`c${i + 1}`, streamRng(options.seed, 6, i), CLIENT_OPTIONS, {
        clock: cluster.clock,
        network: cluster.network,
        history,
        trace: cluster.trace,
        servers: () => cluster.members(),
      }),
  );
  const nemesis = new Nemesis(cluster, streamRng(options.seed, 7), { durationMs: options.chaosMs, meanGapMs: 150, membership: options.membership });

  let broken: string | undefined;
  let stalled: string | undefined;
  try {
    for (const client of clients) client.start();
    nemesis.start();
    await cluster.runFor(options.chaosMs);
    nemesis.healAll();
    for (const client of clients) client.stop();
    const settled = await cluster.runUntil(() => clients.every((c) => c.idle) && caughtUp(cluster), options.settleMs);
    if (!settled) stalled = `liveness: ${stuck(cluster)} ${options.settleMs} ms after healing`;
  } catch (error) {
    // A core that throws is as much a finding as one that breaks a property.
    broken = error instanceof SafetyViolation ? error.message : `exception: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  // A stalled group's history is complete all the same (operations still pending count as unknown outcomes).
  const verdict: HistoryVerdict | undefined = broken === undefined ? checkHistory(history, options.checkBudgetMs) : undefined;
  const violation = broken ?? (verdict?.violation === undefined ? stalled : `linearizability: ${verdict.violation}`);
  return {
    seed: options.seed,
    ...(violation === undefined ? {} : { violation }),
    checked: verdict?.checked ?? 0,
    unknown: history.unknown,
    undecidedKeys: verdict?.undecidedKeys ?? 0,
    traceHash: cluster.trace.digest(),
    endedAt: cluster.now,
    terms: cluster.checker.leaderTerms.size,
  };
}

/** A leader has committed an entry of its own term, and every member up has applied all it committed. */
function caughtUp(cluster: RaftCluster): boolean {
  const leader = cluster.leader();
  if (leader === undefined) return false;
  const status = leader.raft.status();
  if (leader.log.termAt(status.commit) !== status.term) return false;
  const members = [...status.conf.voters, ...status.conf.learners];
  return members.every((id) => {
    const s = cluster.server(id);
    return s.up && s.appliedIndex >= status.commit;
  });
}

function stuck(cluster: RaftCluster): string {
  const leader = cluster.leader();
  const states = cluster.all.map((s) => `${s.id} ${s.status} ${s.role} term ${s.raft.status().term} applied ${s.appliedIndex}`).join('; ');
  return `${leader === undefined ? 'no leader' : `leader ${leader.id} has not caught everyone up`} (${states})`;
}
