// Promises: a closed-loop load generator, run as its own process by the runner.
// `node bench/raft/loadgen.mjs '<json>'` with { system: 'etcd'|'dinc', urls:
// [base URLs of the members], op: 'put'|'get', clients, seconds, warmup,
// timeoutMs }. Each client keeps one request in flight over HTTP/1.1
// keep-alive, sends its n-th request to urls[(client + n) % urls.length]
// (round-robin over all members) with key bench-<client>-<n % 1000>, and stops
// issuing at the end of the window. Only completions inside the window
// (after warm-up) count toward throughput and latency. Prints exactly one JSON
// line on stdout and exits; bounded by warmup + seconds + timeoutMs.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { keepAliveAgent, request } from './http.mjs';
import { PROTOCOLS, keyFor } from './protocol.mjs';
import { summarize } from './stats.mjs';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const proto = PROTOCOLS[cfg.system];
if (!proto || !['put', 'get'].includes(cfg.op) || !(cfg.clients > 0) || !(cfg.urls?.length > 0)) {
  console.error(`loadgen: bad config ${process.argv[2]}`);
  process.exit(2);
}
const timeoutMs = cfg.timeoutMs ?? 10_000;
const agent = keepAliveAgent(cfg.clients);

const t0 = performance.now();
const winStart = t0 + cfg.warmup * 1000;
const winEnd = winStart + cfg.seconds * 1000;
const cpu0 = process.cpuUsage();

const latencies = [];
const counts = { ok: 0, errors: 0, hits: 0, misses: 0, okTotal: 0, errorsTotal: 0 };
/** First few distinct error messages with how often each came. */
const errorSamples = new Map();
const noteError = (msg) => {
  if (errorSamples.has(msg) || errorSamples.size < 5) errorSamples.set(msg, (errorSamples.get(msg) ?? 0) + 1);
};

async function client(c) {
  for (let n = 0; performance.now() < winEnd; n++) {
    const spec = cfg.op === 'put' ? proto.put(keyFor(c, n)) : proto.get(keyFor(c, n));
    const url = cfg.urls[(c + n) % cfg.urls.length] + spec.path;
    const start = performance.now();
    let verdict = false;
    try {
      const r = await request(agent, url, { ...spec, timeoutMs });
      verdict = cfg.op === 'put' ? proto.putOk(r.status, r.body) : proto.getOk(r.status, r.body);
      if (!verdict) noteError(`HTTP ${r.status} ${r.body.slice(0, 160)}`);
    } catch (err) {
      noteError(err instanceof Error ? err.message : String(err));
    }
    const end = performance.now();
    const inWindow = end >= winStart && end <= winEnd;
    if (verdict) {
      counts.okTotal++;
      if (inWindow) {
        counts.ok++;
        latencies.push(end - start);
        if (verdict === 'hit') counts.hits++;
        if (verdict === 'miss') counts.misses++;
      }
    } else {
      counts.errorsTotal++;
      if (inWindow) counts.errors++;
      await sleep(1); // no hot spin against a refusing member
    }
  }
}

await Promise.all(Array.from({ length: cfg.clients }, (_, c) => client(c)));
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
agent.destroy();

const lat = summarize(latencies);
const result = {
  system: cfg.system,
  op: cfg.op,
  clients: cfg.clients,
  seconds: cfg.seconds,
  ...counts,
  throughput: counts.ok / cfg.seconds,
  latencyMs: { p50: lat.p50, p99: lat.p99, mean: lat.mean, max: lat.max },
  loadgenCpuPct: (100 * (cpu.user + cpu.system)) / 1000 / wallMs,
  errorSamples: Object.fromEntries(errorSamples),
};
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
