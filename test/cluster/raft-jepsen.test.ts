/**
 * Jepsen-style test of the Raft role on a real (virtual) network: three
 * `dinc-agent raft` members in three network namespaces of one Lan
 * (test/support/netns.ts), six clients doing put, cas, delete and
 * linearizable get through random members, and a nemesis that cuts members
 * off the bridge, kills them with -9 and pauses the leader (raft-jepsen-run.ts).
 * Promises:
 *
 * 1. the recorded history is linearizable (the checker must decide: an
 *    answer of "unknown", the time budget spent, fails the test);
 * 2. every phase of the nemesis saw results, and after healing every member
 *    accepts writes, all agree on one leader and hold the same data;
 * 3. a leader cut off from the others answers no linearizable read once the
 *    others have elected a new leader and accepted a newer write.
 *
 * The workload lasts 35 s, or JEPSEN_SECONDS (`make jepsen`: 300);
 * JEPSEN_SEED replays the random choices (not the timing). Needs root and
 * iproute2: skipped without them, failed under CI=true. Namespaces and
 * processes are removed whatever happens (afterAll, and netns.ts's exit hooks).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import type { KvOperation } from '../../src/core/state/kv-types.js';
import { eventually } from '../support/eventually.js';
import { checkLinearizability } from '../support/linearizability.js';
import { kvModel } from '../support/linearizability-kv.js';
import { Lan, netnsPrerequisites } from '../support/netns.js';
import { TimedHttp, monotonicMs } from '../support/timed-http.js';
import { RAFT_PORT, RaftCluster, newRecorder, perform, recorded, runClients, runNemesis, type Endpoint, type Phase, type Recorder } from './raft-jepsen-run.js';

const ready = netnsPrerequisites();
const SECONDS = Number(process.env.JEPSEN_SECONDS ?? 35);
const SEED = Number(process.env.JEPSEN_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Wall-clock budget of the linearizability check. */
const CHECK_BUDGET_MS = 120_000 + SECONDS * 1000;
const ARTEFACTS = join(import.meta.dirname, '..', '..', 'test-results');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!ready)('three Raft members in network namespaces under partitions and kill -9 (Jepsen-style)', () => {
  let cluster: RaftCluster | undefined;
  let dir = '';
  const notes: string[] = [];
  /** The main test's record, for the artefact of a failed run. */
  let run: { rec: Recorder; phases: Phase[] } | undefined;
  const members = (): RaftCluster => cluster!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dinc-jepsen-'));
    cluster = new RaftCluster(Lan.create(3), dir);
    await Promise.all(members().ids.map((id) => members().start(id)));
    await members().waitForAgreement(30_000);
  }, 90_000);

  afterEach(({ task }) => {
    if (task.result?.state !== 'fail' || !cluster) return;
    console.log(`last log lines of the members:\n  ${cluster.logTail(80)}`);
    // Everything, for a closer look: the phases, every log line of every member, the history.
    const file = join(ARTEFACTS, `raft-jepsen-${SEED}.txt`);
    mkdirSync(ARTEFACTS, { recursive: true });
    const phases = run?.phases.map((p) => `${p.name} (${((p.to - p.from) / 1000).toFixed(1)} s)`) ?? [];
    const history = run?.rec.history.map((op) => JSON.stringify(op)) ?? [];
    writeFileSync(file, [...notes, '', 'phases:', ...phases, '', 'logs:', cluster.logTail(Infinity), '', 'history:', ...history, ''].join('\n'));
    console.log(`the run in full: ${file}`);
  });

  afterAll(() => {
    if (notes.length > 0) console.log(`raft jepsen (seed ${SEED}, JEPSEN_SEED replays its choices):\n  ${notes.join('\n  ')}`);
    const lan = cluster?.lan;
    cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect(lan?.leftovers() ?? []).toEqual([]);
  });

  /** Performs `op` through `to` until it gets a result of the machine; records every attempt. Returns the result's answer time. */
  const untilDone = (rec: Recorder, client: string, to: Endpoint, op: KvOperation): Promise<number> =>
    eventually(async () => {
      expect((await recorded(rec, client, to, op)).kind).toBe('done');
      return rec.answers.at(-1)!.at;
    }, 30_000, 200);

  it(`the history of ${SECONDS} s of clients and nemesis is linearizable, every phase made progress, and the healed cluster agrees`, async () => {
    const c = members();
    const rng = seededRng(SEED);
    const rec = newRecorder();
    const phases: Phase[] = [];
    run = { rec, phases };
    const durationMs = SECONDS * 1000;
    await Promise.all([
      runClients(c, rec, { durationMs, clients: 6, keys: 5, generationMs: 30_000, pauseMs: 60, patienceMs: 1000 }, rng),
      runNemesis(c, durationMs, phases, rng),
    ]);

    // Healed: one leader, and every member takes writes (forwarded or its own).
    const healed = monotonicMs();
    await c.waitForAgreement(30_000);
    for (const [k, id] of c.ids.entries()) await untilDone(rec, 'final', c.endpoint(id), { type: 'put', key: 'progress', value: `after healing ${k}` });
    notes.push(`after the final heal, one leader and a write through each member in ${Math.round(monotonicMs() - healed)} ms`);
    // The last word on every key, through a random member each.
    for (const key of rec.keys) await untilDone(rec, 'final', c.endpoint(c.ids[rng.int(c.ids.length)]!), { type: 'get', key });

    const unknown = rec.history.filter((op) => op.output === undefined).length;
    notes.push(`${rec.history.length} operations recorded (${unknown} writes of unknown outcome) on ${rec.keys.size} keys; answers: ${JSON.stringify(rec.tally)}`);
    const perPhase = phases.map((p) => ({ ...p, answers: rec.answers.filter((a) => a.at >= p.from && a.at < p.to) }));
    const results = (p: (typeof perPhase)[number]): number => p.answers.filter((a) => a.kind === 'done').length;
    notes.push(`${phases.length} phases (results/answers): ${perPhase.map((p) => `${p.name} ${((p.to - p.from) / 1000).toFixed(1)} s ${results(p)}/${p.answers.length}`).join('; ')}`);

    const result = checkLinearizability(kvModel, rec.history, { budgetMs: CHECK_BUDGET_MS });
    notes.push(`linearizability: ${result.result}, ${result.partitionsChecked}/${result.partitions} keys decided in ${Math.round(result.elapsedMs)} ms`);
    if (result.violation) expect.fail(result.violation.report);
    expect(result.result, `the checker could not decide within ${CHECK_BUDGET_MS} ms (${result.partitionsChecked} of ${result.partitions} keys): shorten the history`).toBe('ok');

    // Every member holds the same data once it has applied everything.
    await eventually(async () => {
      const views = await Promise.all(c.ids.map((id) => c.view(id)));
      const applied = views.map((v) => v?.applied_index);
      expect(applied[0] !== undefined && applied.every((a) => a === applied[0]), `applied indexes: ${JSON.stringify(views)}`).toBe(true);
    }, 20_000);
    for (const key of rec.keys) {
      const seen = await Promise.all(c.ids.map(async (id) => (await perform(c.endpoint(id), { type: 'get', key }, true)).answer.body ?? 'no answer'));
      expect.soft(new Set(seen).size, `stale reads of ${key} on ${c.ids.join(', ')}: ${seen.join(' / ')}`).toBe(1);
    }

    const idle = perPhase.filter((p) => results(p) === 0).map((p) => `${p.name}: ${JSON.stringify(tallyOf(p.answers))}`);
    expect.soft(idle, 'phases in which two members were up and connected, yet no operation got a result').toEqual([]);
    expect.soft(rec.anomalies, 'answers the API does not give').toEqual([]);
    expect.soft(c.crashes, 'members that exited by themselves').toEqual([]);
  }, SECONDS * 1000 + CHECK_BUDGET_MS + 180_000);

  it('a leader cut off from the others answers no linearizable read once they have a new leader and a newer write', async () => {
    const c = members();
    const rec = newRecorder();
    const old = (await c.waitForAgreement(30_000))[0]!.current_leader!;
    const key = 'fence';
    await untilDone(rec, 'writer', c.endpoint(old), { type: 'put', key, value: 'before' });
    // Reads on the old leader come from a client inside its namespace (its 127.0.0.1), timed on the same clock.
    const inside: Endpoint = { name: `${old} from inside`, http: new TimedHttp(c.host(old).ns), base: `http://127.0.0.1:${RAFT_PORT}` };
    const readsOnOld: { call: number; status?: number; kind: string; answer: string }[] = [];
    c.host(old).disconnect();
    const cutAt = monotonicMs();
    let newerWriteAt = Infinity;
    let stop = false;
    // Linearizable reads on the old leader, one after another, from the cut until two have started after the newer write's answer.
    const reader = (async (): Promise<void> => {
      while (!stop && readsOnOld.filter((r) => r.call > newerWriteAt).length < 2) {
        const { outcome, answer } = await perform(inside, { type: 'get', key });
        if (outcome.kind === 'done') rec.history.push({ client: 'reader', input: { type: 'get', key }, call: answer.call, output: outcome.result, return: answer.return });
        const text = outcome.kind === 'done' ? `${answer.status} ${JSON.stringify(outcome.result)}` : outcome.why;
        readsOnOld.push({ call: answer.call, ...(answer.status === undefined ? {} : { status: answer.status }), kind: outcome.kind, answer: text });
        await sleep(100);
      }
    })();
    reader.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    try {
      const others = c.ids.filter((id) => id !== old);
      const next = await eventually(async () => {
        const leader = (await Promise.all(others.map((id) => c.view(id)))).find((v) => v?.is_leader);
        expect(leader, `a new leader among ${others.join(', ')}`).toBeDefined();
        return leader!.node_id;
      }, 20_000);
      newerWriteAt = await untilDone(rec, 'writer', c.endpoint(next), { type: 'put', key, value: 'after' });
      await reader;
      // What the old leader holds itself: the old value, so an answer from its own state would have been stale.
      const stale = await perform(inside, { type: 'get', key }, true);
      expect(stale.outcome).toMatchObject({ kind: 'done', result: { value: 'before' } });

      notes.push(
        `${old} cut off; ${next} led and answered the newer write ${Math.round(newerWriteAt - cutAt)} ms after the cut; ` +
          `linearizable reads on ${old} (ms after the cut: answer): ${readsOnOld.map((r) => `${Math.round(r.call - cutAt)}: ${r.answer}`).join('; ')}`,
      );
      // Asked after the newer write was acknowledged, the old leader must not answer (200 or 404): only 503, 504 or silence.
      const late = readsOnOld.filter((r) => r.call > newerWriteAt);
      for (const r of late) expect(r.kind !== 'done' && (r.status === undefined || r.status === 503 || r.status === 504), `a read on the cut-off ${old} after the newer write: ${r.answer}`).toBe(true);
      // The reads before it may answer, if linearizably.
      const result = checkLinearizability(kvModel, rec.history, { budgetMs: 10_000 });
      if (result.violation) expect.fail(result.violation.report);
      expect(result.result).toBe('ok');
    } finally {
      stop = true;
      c.host(old).reconnect();
      await reader.catch(() => undefined);
      inside.http.close();
    }
    // Back on the bridge, it learns the newer write.
    await eventually(async () => {
      const { outcome } = await perform(c.endpoint(old), { type: 'get', key });
      expect(outcome).toMatchObject({ kind: 'done', result: { ok: true, value: 'after' } });
    }, 30_000, 200);
  }, 120_000);
});

function tallyOf(answers: readonly { kind: string; why?: string }[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const a of answers) tally[a.why ?? a.kind] = (tally[a.why ?? a.kind] ?? 0) + 1;
  return tally;
}
