// Promises: failover time of one cluster, measured `runs` times: find the
// leader, kill -9 it, and time from the kill until the first put that
// succeeds; a new put attempt goes out every 10 ms, round-robin over the two
// surviving members, without waiting for earlier attempts (each is cut off
// after 1 s), so a hanging request cannot hide a recovered cluster. Then
// restart the killed member and wait until all three are healthy and the
// leader has stayed the same for SETTLE_MS (same for both systems). Every
// wait is bounded; the runs stop early when the budget is spent.
import { performance } from 'node:perf_hooks';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { keepAliveAgent, request } from './http.mjs';
import { pollUntil } from './poll.mjs';
import { PROTOCOLS } from './protocol.mjs';
import { summarize } from './stats.mjs';

const INTERVAL_MS = 10;
const ATTEMPT_TIMEOUT_MS = 1000;
const PROBE_LIMIT_MS = 20_000;
const HEALTHY_LIMIT_MS = 30_000;
/** The leader must keep its term this long after the restart before the next kill. */
const SETTLE_MS = 1500;

/** ms from t0 to the first successful put (null after limitMs), with what the failures said. */
function firstSuccessfulPut(proto, urls, key, t0) {
  const agent = keepAliveAgent(64);
  const failures = new Map();
  let inFlight = 0;
  let sent = 0;
  return new Promise((resolve) => {
    let done = false;
    const finish = (ms) => {
      if (done) return;
      done = true;
      clearInterval(ticker);
      clearTimeout(limit);
      agent.destroy();
      resolve({ ms, attempts: sent, failures: Object.fromEntries([...failures].slice(0, 5)) });
    };
    const note = (msg) => {
      if (failures.has(msg) || failures.size < 20) failures.set(msg, (failures.get(msg) ?? 0) + 1);
    };
    const attempt = () => {
      if (done || inFlight >= 200) return;
      const spec = proto.put(key);
      const url = urls[sent++ % urls.length] + spec.path;
      inFlight++;
      request(agent, url, { ...spec, timeoutMs: ATTEMPT_TIMEOUT_MS })
        .then(
          (r) => (proto.putOk(r.status, r.body) ? finish(performance.now() - t0) : note(`HTTP ${r.status} ${r.body.slice(0, 120)}`)),
          (err) => note(err instanceof Error ? err.message : String(err)),
        )
        .finally(() => inFlight--);
    };
    const ticker = setInterval(attempt, INTERVAL_MS);
    const limit = setTimeout(() => finish(null), PROBE_LIMIT_MS);
    attempt();
  });
}

export async function measureFailovers(cluster, { runs, budgetMs }, log) {
  const proto = PROTOCOLS[cluster.system];
  const deadline = performance.now() + budgetMs;
  const samples = [];
  await cluster.waitStable(HEALTHY_LIMIT_MS, SETTLE_MS); // let the load runs settle first
  for (let run = 0; run < runs; run++) {
    if (performance.now() > deadline) {
      log(`${cluster.system} failover: budget of ${budgetMs / 1000} s spent after ${run} runs`);
      break;
    }
    const leader = await pollUntil(`${cluster.system}: a leader`, 10_000, () => cluster.leaderIndex());
    const survivors = cluster.urls.filter((_, i) => i !== leader);
    const t0 = performance.now();
    const gone = cluster.kill(leader);
    const probe = await firstSuccessfulPut(proto, survivors, `failover-${run}`, t0);
    await gone;
    cluster.restart(leader);
    const unsettled = await cluster.waitStable(HEALTHY_LIMIT_MS, SETTLE_MS);
    samples.push({ killed: leader + 1, ...probe, leaderChangesAfterRestart: unsettled });
    const fails = Object.entries(probe.failures).map(([m, n]) => `${n}x ${m}`).join('; ');
    log(`${cluster.system} failover ${run + 1}/${runs}: killed member ${leader + 1}, first put after ${probe.ms === null ? `none in ${PROBE_LIMIT_MS} ms` : `${probe.ms.toFixed(0)} ms`} (${probe.attempts} attempts${fails ? `; ${fails}` : ''})${unsettled ? `; leader changed ${unsettled}x after the restart` : ''}`);
  }
  const times = samples.filter((s) => s.ms !== null).map((s) => s.ms);
  const s = summarize(times);
  const disrupted = samples.filter((x) => x.leaderChangesAfterRestart > 0).length;
  return { runs: samples.length, timeouts: samples.length - times.length, p50: s.p50, p99: s.p99, max: s.max, disruptedRestarts: disrupted, samples };
}
