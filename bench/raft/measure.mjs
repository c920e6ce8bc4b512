// Promises: the throughput/latency suite for one running cluster, each point
// measured by a separate load-generator process (loadgen.mjs): puts at 1, 16
// and 256 clients, linearizable gets at 1 and 256, and fsyncs per put summed
// over the members around the 256-client put run (warm-up puts included in
// the divisor, since the counters see them too; unreadable counters leave it
// unmeasured with the reason, the load figures still count). Each run is
// killed if it overruns warm-up + seconds + 30 s.
import { join } from 'node:path';
import { runCollect } from './procs.mjs';

export const PUT_CLIENTS = [1, 16, 256];
export const GET_CLIENTS = [1, 256];
const LOADGEN = join(import.meta.dirname, 'loadgen.mjs');

/** One load-generator run; its parsed JSON result line. */
export async function runLoadgen({ system, urls, op, clients, seconds, warmup }) {
  const cfg = { system, urls, op, clients, seconds, warmup, timeoutMs: 10_000 };
  const r = await runCollect(process.execPath, [LOADGEN, JSON.stringify(cfg)], { cwd: import.meta.dirname, limitMs: (warmup + seconds) * 1000 + 30_000 });
  const line = r.stdout.trim().split('\n').pop();
  if (r.code !== 0 || !line) throw new Error(`loadgen ${system} ${op} x${clients} failed (exit ${r.code ?? r.signal})`);
  return JSON.parse(line);
}

/** The members' fsync counters, or { error } when they cannot be read (the load figures still count). */
async function readCounters(cluster) {
  try {
    return { fsyncs: await cluster.fsyncs(), other: await cluster.otherSyncs() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function fsyncsPerPut(clients, puts, before, after) {
  const error = before.error ?? after.error;
  if (error) return { clients, puts, error };
  const fsyncs = after.fsyncs - before.fsyncs;
  const otherPerPut = Object.fromEntries(Object.entries(after.other).map(([k, v]) => [k, puts > 0 ? (v - before.other[k]) / puts : null]));
  return { clients, puts, fsyncs, perPut: puts > 0 ? fsyncs / puts : null, otherPerPut };
}

/** @returns {Promise<{ put: object[], get: object[], fsync: object }>} */
export async function runSuite(cluster, { seconds, warmup }, log) {
  const base = { system: cluster.system, urls: cluster.urls, seconds, warmup };
  const put = [];
  let fsync = null;
  for (const clients of PUT_CLIENTS) {
    const counting = clients === PUT_CLIENTS[PUT_CLIENTS.length - 1];
    const before = counting ? await readCounters(cluster) : null;
    const r = await runLoadgen({ ...base, op: 'put', clients });
    if (before) fsync = fsyncsPerPut(clients, r.okTotal, before, await readCounters(cluster));
    if (fsync?.error && counting) log(`${cluster.system} fsyncs per put not measured: ${fsync.error}`);
    log(`${cluster.system} put x${clients}: ${r.throughput.toFixed(0)} ops/s, p50 ${r.latencyMs.p50?.toFixed(2)} ms, p99 ${r.latencyMs.p99?.toFixed(2)} ms, ${r.errors} errors`);
    put.push(r);
  }
  const get = [];
  for (const clients of GET_CLIENTS) {
    const r = await runLoadgen({ ...base, op: 'get', clients });
    log(`${cluster.system} get x${clients}: ${r.throughput.toFixed(0)} ops/s, p50 ${r.latencyMs.p50?.toFixed(2)} ms, p99 ${r.latencyMs.p99?.toFixed(2)} ms, ${r.errors} errors`);
    get.push(r);
  }
  return { put, get, fsync };
}
