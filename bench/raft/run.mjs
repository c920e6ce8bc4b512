// Promises: the Raft benchmark, dinc-agent's replicated key/value store against
// etcd 3.4, same measurements on the same machine in one run, one system after
// the other: put and linearizable-get throughput and latency (measure.mjs),
// fsyncs per put, and kill -9 leader failover (failover.mjs). Prints a Markdown
// report and writes bench/raft/results/latest.json. Every process it starts is
// killed and every temp dir removed at the end, on error and on Ctrl-C.
// Usage: node bench/raft/run.mjs [--seconds 5] [--warmup 1] [--failovers 20] [--only etcd|dinc] [--data-root DIR]
// Needs `etcd` on PATH (apt-get install etcd-server) and a built dinc-agent (make build).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from './args.mjs';
import { createDinc, dincMissing, dincVersion } from './dinc.mjs';
import { createEtcd, etcdMissing, etcdVersion } from './etcd.mjs';
import { measureFailovers } from './failover.mjs';
import { machineNotes } from './machine.mjs';
import { runSuite } from './measure.mjs';
import { fullReport } from './report.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const RESULTS = join(import.meta.dirname, 'results', 'latest.json');
const START_LIMIT_MS = 60_000;
/** Upper bound on all failover runs of one system. */
const FAILOVER_BUDGET_MS = 240_000;

const log = (msg) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}

const systems = opts.only ? [opts.only] : ['etcd', 'dinc'];
const missing = systems.map((s) => (s === 'etcd' ? etcdMissing() : dincMissing(ROOT))).filter(Boolean);
if (missing.length) {
  console.error(missing.join('\n\n'));
  process.exit(1);
}

const run = {
  date: new Date().toISOString(),
  options: { seconds: opts.seconds, warmup: opts.warmup, failovers: opts.failovers, only: opts.only || null },
  machine: machineNotes(opts.dataRoot),
  commands: {
    runner: `node bench/raft/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    members: {},
    loadgen: `node bench/raft/loadgen.mjs '{"system":"etcd|dinc","urls":[<3 member URLs>],"op":"put|get","clients":N,"seconds":${opts.seconds},"warmup":${opts.warmup},"timeoutMs":10000}'`,
  },
  systems: {},
};

for (const system of systems) {
  const res = { system, version: system === 'etcd' ? etcdVersion() : dincVersion(ROOT), timing: null };
  run.systems[system] = res;
  let cluster = null;
  try {
    cluster = system === 'etcd' ? await createEtcd({ dataRoot: opts.dataRoot }) : await createDinc({ root: ROOT, dataRoot: opts.dataRoot });
    res.timing = cluster.timing;
    run.commands.members[system] = cluster.commandLine(0);
    log(`${system}: starting 3 members in ${cluster.dir}`);
    await cluster.start(START_LIMIT_MS);
    res.suite = await runSuite(cluster, opts, log);
  } catch (err) {
    res.error = err instanceof Error ? err.message : String(err);
    log(`${system}: ${res.error}`);
  }
  if (cluster && !res.error && opts.failovers > 0) {
    try {
      res.failover = await measureFailovers(cluster, { runs: opts.failovers, budgetMs: FAILOVER_BUDGET_MS }, log);
    } catch (err) {
      res.error = `failover: ${err instanceof Error ? err.message : String(err)}`;
      log(`${system}: ${res.error}`);
    }
  }
  await cluster?.stop();
}

run.machine.loadAverageAtEnd = loadavg().map((x) => x.toFixed(2)).join(' ');
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify(run, null, 2)}\n`);
console.log(fullReport(run));
log(`results written to ${RESULTS}`);
process.exit(Object.values(run.systems).some((s) => s.error) ? 1 : 0);
