/**
 * Membership benchmark: the real SWIM + Lifeguard core in the simulator
 * (lan profile, seeds-only joining, 0.2 ms + exp(0.3 ms) links), beside
 * memberlist's and Serf's published LAN numbers. Prints Markdown tables;
 * asserts nothing about time.
 *
 *   npx vitest run --config bench/vitest.bench.config.ts                 # N = 5, 50, 100, 500, 1000 (under 10 min)
 *   BENCH_QUICK=1 npx vitest run --config bench/vitest.bench.config.ts   # N = 5, 50, 100 (under 1 min)
 *   BENCH_N=500,1000 ...                                                 # only those sizes
 *
 * For each N and seed, one cluster goes through, in order: convergence; a
 * steady window (bytes); a new member joining (dissemination); a crash
 * (detection); then runs at 1%, 5% and 10% loss (false deaths).
 */
import { expect, it } from 'vitest';
import { PACKET_OVERHEAD, encodePushPull, encodedSize } from '../src/core/membership/codec.js';
import { PROFILES } from '../src/core/membership/config.js';
import { MsgType, type PushPull } from '../src/core/membership/messages.js';
import { suspicionBounds } from '../src/core/membership/suspicion.js';
import { seededRng } from '../src/core/rng.js';
import { MembershipSim } from '../test/sim/membership-cluster.js';
import { SIM_CLUSTER_TAG } from '../test/sim/membership-wire.js';
import { percentile } from '../test/sim/views.js';

const QUICK = process.env.BENCH_QUICK === '1';
const LOSSES = [0.01, 0.05, 0.1] as const;

interface Plan {
  readonly n: number;
  /** Seeds measured for detection, dissemination and bytes. */
  readonly seeds: number;
  /** Of those, seeds that also run the loss phases, and the simulated minutes of each loss phase. */
  readonly lossSeeds: number;
  readonly lossMinutes: number;
  /** Simulated seconds of the steady window that measures UDP bytes. */
  readonly bytesSeconds: number;
}

const ALL_PLANS: readonly Plan[] = QUICK
  ? [
      { n: 5, seeds: 5, lossSeeds: 2, lossMinutes: 10, bytesSeconds: 60 },
      { n: 50, seeds: 3, lossSeeds: 1, lossMinutes: 3, bytesSeconds: 60 },
      { n: 100, seeds: 2, lossSeeds: 1, lossMinutes: 1, bytesSeconds: 30 },
    ]
  : [
      { n: 5, seeds: 20, lossSeeds: 3, lossMinutes: 60, bytesSeconds: 60 },
      { n: 50, seeds: 10, lossSeeds: 2, lossMinutes: 10, bytesSeconds: 60 },
      { n: 100, seeds: 5, lossSeeds: 1, lossMinutes: 5, bytesSeconds: 60 },
      { n: 500, seeds: 2, lossSeeds: 1, lossMinutes: 1, bytesSeconds: 30 },
      { n: 1000, seeds: 1, lossSeeds: 0, lossMinutes: 0, bytesSeconds: 20 },
    ];

/** `BENCH_N=50,500` runs only those sizes. */
const ONLY = process.env.BENCH_N?.split(',').map(Number);
const PLANS = ALL_PLANS.filter((p) => ONLY === undefined || ONLY.includes(p.n));

interface Run {
  readonly firstSuspect: number;
  readonly firstDead: number;
  readonly allDead: number;
  readonly heard: number;
  readonly udpBytesPerNodeSec: number;
  readonly pushPullBytesPerNodeSec: number;
  /** Per loss: distinct (member, incarnation) declared dead though alive. */
  readonly falseDeaths?: readonly number[];
}

/** The interval of periodic push-pull at N members, as the core stretches it above 32 (memberlist's rule). */
function pushPullIntervalMs(n: number): number {
  const scale = n <= 32 ? 1 : Math.ceil(Math.log2(n) - Math.log2(32)) + 1;
  return PROFILES.lan.pushPullIntervalMs * scale;
}

function runOnce(plan: Plan, seed: number, withLoss: boolean): Run {
  const n = plan.n;
  const sim = new MembershipSim({ seed, nodes: n + 1, held: 1, codec: false, multicast: false, recordEvents: false, countBytes: false, startSpreadMs: Math.max(1000, n * 5) });
  const members = sim.ids.slice(0, n);
  const joiner = sim.ids[n] as string;
  const ready = sim.runUntilTrue(() => members.every((id) => sim.status(id) === 'running' && sim.membership(id).liveCount === n), 600_000, 1000);
  expect(ready, `N=${n} seed=${seed} converges`).toBeDefined();

  // UDP bytes as sent (probes, acks, gossip), from the messages' encoded sizes. First let the
  // gossip of the joins die out (5 s slices until one carries no update at all), then measure.
  let udpBytes = 0;
  let updates = 0;
  sim.onPacket((p) => {
    udpBytes += PACKET_OVERHEAD + p.messages.reduce((sum, m) => sum + encodedSize(m), 0);
    updates += p.messages.filter((m) => m.type === MsgType.Alive || m.type === MsgType.Suspect || m.type === MsgType.Dead).length;
  });
  for (let slices = 0; slices < 60; slices++) {
    updates = 0;
    sim.runFor(5000);
    if (updates === 0) break;
  }
  udpBytes = 0;
  sim.runFor(plan.bytesSeconds * 1000);
  const udpBytesPerNodeSec = udpBytes / n / plan.bytesSeconds;
  // Push-pull: each member starts one exchange per interval and answers one on average: two full-state frames.
  const state: PushPull = { type: MsgType.PushPull, from: members[0] as string, join: false, members: sim.membership(members[0] as string).members() };
  const pushPullBytesPerNodeSec = (2 * encodePushPull(SIM_CLUSTER_TAG, state).length) / (pushPullIntervalMs(n) / 1000);

  // A new member joins through the seeds: when do 99.99% of the members list it alive?
  const needed = Math.ceil(0.9999 * n);
  const heardBy = new Set<string>();
  let heardAt: number | undefined;
  let victim = '';
  let firstSuspect: number | undefined;
  let firstDead: number | undefined;
  let allDead: number | undefined;
  const deadBy = new Set<string>();
  const falseDead = new Set<string>();
  sim.onEvent((e) => {
    if (e.subject === joiner && (e.type === 'join' || e.type === 'alive') && !heardBy.has(e.observer)) {
      heardBy.add(e.observer);
      if (heardBy.size === needed) heardAt = e.time;
    }
    if (e.subject === victim) {
      if (e.type === 'suspect') firstSuspect ??= e.time;
      if (e.type === 'dead') {
        firstDead ??= e.time;
        deadBy.add(e.observer);
        if (deadBy.size === n) allDead = e.time;
      }
    } else if (e.type === 'dead') {
      falseDead.add(`${e.subject}@${e.incarnation}`);
    }
  });
  const launchedAt = sim.now;
  sim.launch(joiner);
  sim.runUntilTrue(() => heardAt !== undefined, 120_000, 100);
  expect(heardAt, `N=${n} seed=${seed}: the joiner is heard`).toBeDefined();
  sim.runFor(10_000);

  // A crash of a member that is not a seed.
  const rng = seededRng(seed);
  victim = members[n > 4 ? 3 + rng.int(n - 3) : n - 1] as string;
  const crashedAt = sim.now;
  sim.crash(victim);
  sim.runUntilTrue(() => allDead !== undefined, 300_000, 100);
  expect(allDead, `N=${n} seed=${seed}: the crash is detected everywhere`).toBeDefined();

  const run = {
    firstSuspect: (firstSuspect as number) - crashedAt,
    firstDead: (firstDead as number) - crashedAt,
    allDead: (allDead as number) - crashedAt,
    heard: (heardAt as number) - launchedAt,
    udpBytesPerNodeSec,
    pushPullBytesPerNodeSec,
  };
  if (!withLoss) return run;
  const falseDeaths = LOSSES.map((loss) => {
    sim.runFor(5000);
    falseDead.clear();
    sim.network.setDefaults({ loss });
    sim.runFor(plan.lossMinutes * 60_000);
    sim.network.setDefaults({ loss: 0 });
    return falseDead.size;
  });
  return { ...run, falseDeaths };
}

const sec = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');
const medP99 = (values: readonly number[]): string => `${sec(percentile(values, 50))} / ${sec(percentile(values, 99))}`;

/** memberlist (LAN defaults: 1 s probes, suspicion mult 4, max 6x): the suspicion timeout range at N. */
function memberlistTimeout(n: number): string {
  const { minMs, maxMs } = suspicionBounds({ ...PROFILES.lan, probeIntervalMs: 1000, suspicionMult: 4, suspicionMaxTimeoutMult: 6 }, n);
  return `${sec(minMs)} – ${sec(maxMs)}`;
}

const SERF_9999: Readonly<Record<number, string>> = { 100: '≈2.0 s', 1000: '≈2.2 s' };

it('membership: failure detection, dissemination, bandwidth and false deaths', () => {
  const started = performance.now();
  const detection: string[] = [];
  const other: string[] = [];
  const walls: string[] = [];
  for (const plan of PLANS) {
    const planStarted = performance.now();
    const runs: Run[] = [];
    for (let seed = 1; seed <= plan.seeds; seed++) runs.push(runOnce(plan, seed, seed <= plan.lossSeeds));
    const lossRuns = runs.filter((r) => r.falseDeaths !== undefined);
    const nodeHours = (lossRuns.length * plan.n * plan.lossMinutes) / 60;
    const perNodeHour = LOSSES.map((_, i) => {
      if (lossRuns.length === 0) return 'not run';
      const total = lossRuns.reduce((sum, r) => sum + (r.falseDeaths?.[i] ?? 0), 0);
      return `${(total / nodeHours).toFixed(3)} (${total})`;
    });
    const simulated = lossRuns.length === 0 ? '—' : `${lossRuns.length} × ${plan.lossMinutes >= 1 ? `${plan.lossMinutes} min` : `${Math.round(plan.lossMinutes * 60)} s`}`;
    const ours = PROFILES.lan;
    const { minMs, maxMs } = suspicionBounds(ours, plan.n);
    detection.push(
      `| ${plan.n} | ${runs.length} | ${medP99(runs.map((r) => r.firstSuspect))} | ${medP99(runs.map((r) => r.firstDead))} | ${medP99(runs.map((r) => r.allDead))} | ${sec(minMs)} – ${sec(maxMs)} | ${memberlistTimeout(plan.n)} |`,
    );
    const udp = percentile(runs.map((r) => r.udpBytesPerNodeSec), 50);
    const pushPull = percentile(runs.map((r) => r.pushPullBytesPerNodeSec), 50);
    other.push(
      `| ${plan.n} | ${medP99(runs.map((r) => r.heard))} | ${SERF_9999[plan.n] ?? '—'} | ${udp.toFixed(0)} + ${pushPull.toFixed(0)} = ${(udp + pushPull).toFixed(0)} | ${perNodeHour.join(' | ')} | ${simulated} |`,
    );
    walls.push(`N=${plan.n} ${((performance.now() - planStarted) / 1000).toFixed(0)} s`);
  }
  const table = [
    `## Membership benchmark${QUICK ? ' (BENCH_QUICK)' : ''}: lan profile, simulated LAN, seeds-only joining`,
    '',
    'Failure detection after a crash (median / p99 over the runs; with few runs p99 is the maximum).',
    '',
    '| N | runs | crash → first suspicion | crash → dead on first node | crash → dead on every node | our suspicion timeout (min – max) | memberlist LAN suspicion timeout 4·max(1, log10 N) s (min – max) |',
    '|---|---|---|---|---|---|---|',
    ...detection,
    '',
    'memberlist reference (LAN defaults: 1 s probe interval, 0.5 s probe timeout): a crash is declared after one probe round plus the suspicion timeout, ≈ 5–7 s at 3 nodes and 12–72 s at 1000 nodes.',
    '',
    'Dissemination, bandwidth and false deaths.',
    '',
    '| N | join → listed alive by 99.99% (median / p99) | Serf model, 99.99% | bytes / node / s: UDP + push-pull = total | false deaths / node-hour at 1% loss (count) | at 5% | at 10% | simulated per loss |',
    '|---|---|---|---|---|---|---|---|',
    ...other,
    '',
    'Bytes: UDP as sent by every member over a steady window (encoded sizes, no encryption); push-pull as two full-state frames per member per push-pull interval. False deaths: distinct (member, incarnation) declared dead by any node while the member was alive.',
    `Wall time: ${((performance.now() - started) / 1000).toFixed(0)} s (${walls.join(', ')}).`,
  ].join('\n');
  console.log(table);
});
