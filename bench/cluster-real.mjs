// Real clusters of dinc-agent processes, measured; prints Markdown tables and
// never passes or fails on time.
//
//  (a) five agents in five Linux network namespaces on one bridge (multicast
//      only, encrypted, expect = 5, profile lan): kill -9 of the leader until
//      the other four agree on the next one, and its restart until all five
//      agree on it again; median and p90 over --runs runs. Needs root and
//      iproute2; skipped with a message otherwise.
//  (b) --agents agents on 127.0.0.1 (seeds = the first agent, multicast
//      off) started at once: time until every agent lists all of them alive,
//      CPU and RSS per agent while converging and at rest, false deaths.
//
// Usage: node bench/cluster-real.mjs [--runs 10] [--agents 50] [--profile lan|local] [--only netns|local] [--log-level info|debug]
// (--log-level debug puts debug lines into the details printed for slow rejoins in (a)).
// Runs lib/ as built (`make build` or `npx tsc -p tsconfig.build.json`).
//
// The namespace helpers are a minimal copy of test/support/netns.ts (bench
// cannot import TypeScript), but for removeNamespace, which both import from
// test/support/remove-namespace.mjs; see netns.ts for why the network looks
// as it does. Namespaces are named dinc<pid>-..., removed at exit, on SIGINT and
// SIGTERM, and those of dead runs are removed at start.
/* global fetch, AbortSignal, setTimeout */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { removeNamespace } from '../test/support/remove-namespace.mjs';

const ROOT = join(import.meta.dirname, '..');
/** How long a restarted agent may take to rejoin before the run counts as failed. */
const REJOIN_MS = 90_000;
const BIN = join(ROOT, 'bin', 'dinc-agent');
const PREFIX = `dinc${process.pid}`;

const opts = { runs: 10, agents: 50, profile: 'lan', only: '', 'log-level': 'info' };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i]?.replace(/^--/, '');
  if (!(key in opts)) throw new Error(`unknown option ${process.argv[i]}; usage: node bench/cluster-real.mjs [--runs 10] [--agents 50] [--profile lan|local] [--only netns|local] [--log-level info|debug]`);
  opts[key] = typeof opts[key] === 'number' ? Number(process.argv[i + 1]) : String(process.argv[i + 1]);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'dinc-bench-'));
const children = new Set();
const namespacesMade = new Set();

// ---- cleanup ---------------------------------------------------------------------------

function ip(...args) {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (e) {
    throw new Error(`ip ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Removes a namespace and forgets it. */
function dropNamespace(ns) {
  removeNamespace(ns);
  namespacesMade.delete(ns);
}

function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  for (const ns of [...namespacesMade]) dropNamespace(ns);
  rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

function reapStale() {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const ns of listed.split('\n').map((l) => l.split(' ')[0])) {
    const pid = Number(/^dinc(\d+)-/.exec(ns ?? '')?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = e.code === 'EPERM';
    }
    if (!alive) dropNamespace(ns);
  }
}

// ---- processes -------------------------------------------------------------------------

/** Spawns `file args` (through `ip netns exec ns` when ns is given); stderr is parsed as JSON log lines. */
function launch(file, args, ns) {
  const [cmd, argv] = ns ? ['ip', ['netns', 'exec', ns, file, ...args]] : [file, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  children.add(child);
  const records = [];
  let text = '';
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (text.length < 200_000) text += `${line}\n`;
    try {
      records.push(JSON.parse(line));
    } catch {
      // not a log line
    }
  });
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal);
    }),
  );
  return { child, records, exited, stderr: () => text };
}

async function waitForLog(p, predicate, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (p.records.some(predicate)) return;
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`agent exited:\n${p.stderr()}`);
    await sleep(20);
  }
  throw new Error(`no such log line within ${ms} ms:\n${p.stderr()}`);
}

const OBSERVER_SCRIPT = `
import { createInterface } from 'node:readline';
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
createInterface({ input: process.stdin })
  .on('line', async (line) => {
    const { id, url, timeoutMs } = JSON.parse(line);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      out({ id, status: res.status, body: await res.text() });
    } catch (e) {
      out({ id, error: String(e?.cause?.code ?? e?.name ?? e) });
    }
  })
  .on('close', () => process.exit(0));
`;

/** HTTP GET from inside namespace ns, through one long-lived process there (see test/support/netns.ts). */
function observer(ns) {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', OBSERVER_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  const pending = new Map();
  let next = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const a = JSON.parse(line);
    const p = pending.get(a.id);
    pending.delete(a.id);
    if (a.error !== undefined || a.status !== 200) p?.reject(new Error(a.error ?? `status ${a.status}`));
    else p?.resolve(JSON.parse(a.body));
  });
  return {
    json: (url, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        child.stdin.write(`${JSON.stringify({ id, url, timeoutMs })}\n`);
      }),
  };
}

async function getJson(url, timeoutMs = 3000) {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

// ---- figures ---------------------------------------------------------------------------

function quantile(values, q) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const id = (i) => `node${String(i).padStart(3, '0')}`;

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** CPU seconds (user + system) and RSS (MiB) of a process, from /proc. */
function usage(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
    return { cpu, rss };
  } catch {
    return { cpu: NaN, rss: NaN };
  }
}

/** Polls `check` every `everyMs` until it returns true; resolves to the ms it took, or NaN after `ms`. */
async function timeUntil(check, ms, everyMs = 50, t0 = Date.now()) {
  const until = t0 + ms;
  while (Date.now() < until) {
    try {
      if (await check()) return Date.now() - t0;
    } catch {
      // not yet
    }
    await sleep(everyMs);
  }
  return NaN;
}

// ---- (a) five agents in five namespaces -------------------------------------------------

function netnsReady() {
  if (process.platform !== 'linux') return `this is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'not running as root';
  if (spawnSync('sh', ['-c', 'command -v ip']).status !== 0) return '`ip` (iproute2) is not installed';
  return null;
}

async function benchNetns() {
  const n = 5;
  reapStale();
  const subnet = `10.254.${(process.pid % 254) + 1}`;
  const sw = `${PREFIX}-sw`;
  ip('netns', 'add', sw);
  namespacesMade.add(sw);
  ip('-n', sw, 'link', 'set', 'lo', 'up');
  ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', sw, 'addr', 'add', `${subnet}.254/24`, 'dev', 'br0');
  ip('-n', sw, 'link', 'set', 'br0', 'up');
  const hosts = [];
  for (let i = 1; i <= n; i++) {
    const ns = `${PREFIX}-h${i}`;
    ip('netns', 'add', ns);
    namespacesMade.add(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', sw);
    ip('-n', ns, 'addr', 'add', `${subnet}.${i}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
    ip('-n', sw, 'link', 'set', `p${i}`, 'master', 'br0');
    ip('-n', sw, 'link', 'set', `p${i}`, 'up');
    hosts.push({ ns, address: `${subnet}.${i}` });
  }
  const obs = observer(sw);
  const key = randomBytes(32).toString('base64');
  const agents = new Map();
  const start = async (i) => {
    const file = join(dir, `netns-${id(i)}.conf`);
    writeFileSync(
      file,
      `[cluster]\nname = bench\nexpect = ${n}\nencrypt_key = ${key}\n[gossip]\nprofile = lan\n` +
        `[agent]\nid = ${id(i)}\nbind_address = 0.0.0.0\nport = 7946\nweb = 0.0.0.0:8080\ndata_dir = ${join(dir, `netns-${id(i)}`)}\nlog_format = json\nlog_level = ${opts['log-level']}\n`,
    );
    // A second try when the first ends before it runs (lib/ rebuilt by someone meanwhile).
    for (let attempt = 1; ; attempt++) {
      const a = launch(process.execPath, [BIN, 'start', '--config', file], hosts[i - 1].ns);
      agents.set(i, a);
      try {
        await waitForLog(a, (r) => r.msg?.endsWith(' running'));
        return a;
      } catch (e) {
        if (attempt >= 2) throw e;
        console.error(`${id(i)} ended before it ran; starting it again: ${e.message.split('\n').find((l) => /Error/.test(l)) ?? ''}`);
      }
    }
  };
  /** Whether every agent in `who` names `leader` and sees exactly `alive` alive (and `dead` dead). */
  const agree = async (who, leader, alive, dead = []) => {
    const views = await Promise.all(who.map((i) => obs.json(`http://${hosts[i - 1].address}:8080/v1/members`)));
    return views.every((v) => {
      const state = Object.fromEntries(v.members.map((m) => [m.id, m.state]));
      return v.leader === leader && alive.every((x) => state[x] === 'alive') && dead.every((x) => state[x] === 'dead') && v.members.length === alive.length + dead.length;
    });
  };
  const all = [1, 2, 3, 4, 5];
  const names = all.map(id);
  const loadBefore = loadavg()[0].toFixed(1);
  const t0 = Date.now();
  await Promise.all(all.map(start));
  const converge = await timeUntil(() => agree(all, 'node001', names), 30_000, 50, t0);
  if (!Number.isFinite(converge)) throw new Error('the five agents did not converge within 30 s');

  const failover = [];
  const detect = [];
  const rejoin = [];
  const rejoinOthers = [];
  const rejoinSelf = [];
  const slow = [];
  let slowRuns = 0;
  let falseDeaths = 0;
  for (let run = 0; run < opts.runs; run++) {
    const marks = new Map([2, 3, 4, 5].map((i) => [i, agents.get(i).records.length]));
    const k0 = Date.now();
    agents.get(1).child.kill('SIGKILL');
    await agents.get(1).exited;
    failover.push(await timeUntil(() => agree([2, 3, 4, 5], 'node002', names.slice(1), ['node001']), 30_000, 25, k0));
    const first = [2, 3, 4, 5]
      .map((i) => agents.get(i).records.slice(marks.get(i)).find((r) => r.msg === 'Node timeout: node001'))
      .filter(Boolean)
      .map((r) => Date.parse(r.time) - k0);
    detect.push(Math.min(...first));
    falseDeaths += [2, 3, 4, 5].flatMap((i) => agents.get(i).records.slice(marks.get(i))).filter((r) => /^Node timeout: node00[2-5]$/.test(r.msg)).length;
    const r0 = Date.now();
    await start(1);
    // The four and node001 itself are timed apart: they need not learn of each other at once.
    let othersBack = NaN;
    let selfBack = NaN;
    const back = await timeUntil(
      async () => {
        if (!Number.isFinite(othersBack) && (await agree([2, 3, 4, 5], 'node001', names).catch(() => false))) othersBack = Date.now() - r0;
        if (!Number.isFinite(selfBack) && (await agree([1], 'node001', names).catch(() => false))) selfBack = Date.now() - r0;
        return Number.isFinite(othersBack) && Number.isFinite(selfBack) && agree(all, 'node001', names);
      },
      REJOIN_MS,
      25,
      r0,
    );
    rejoin.push(back);
    if (!(back < 5000)) slowRuns++;
    rejoinOthers.push(othersBack);
    rejoinSelf.push(selfBack);
    if (!(back < 5000) && slow.length < 2) {
      // Slow or no rejoin: keep what each agent saw and logged, for the report.
      const views = await Promise.all(all.map((i) => obs.json(`http://${hosts[i - 1].address}:8080/v1/members`).catch((e) => ({ self: id(i), error: e.message }))));
      const logs = all.flatMap((i) =>
        agents
          .get(i)
          .records.filter((r) => Date.parse(r.time) >= k0)
          .map((r) => {
            const { time, level: _level, msg, part: _part, ...rest } = r;
            return `${time.slice(11, 23)} ${id(i)} ${msg}${Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : ''}`;
          }),
      );
      slow.push({ run: run + 1, ms: back, views: views.map((v) => (v.error ? `${v.self}: ${v.error}` : `${v.self}: leader ${v.leader}; ${v.members.map((m) => `${m.id} ${m.state}/${m.incarnation}`).join(', ')}`)), logs: logs.sort() });
    }
    await sleep(1000);
  }
  for (const a of agents.values()) a.child.kill('SIGKILL');
  for (const ns of [...namespacesMade]) dropNamespace(ns);

  console.log(`### (a) Five agents in five network namespaces (bridge, multicast only, AES-GCM, expect = 5, profile lan), ${opts.runs} runs\n`);
  console.log(`Start of five agents at once until all agree on five alive and node001: ${converge} ms. Load average ${loadBefore} before, ${loadavg()[0].toFixed(1)} after.\n`);
  console.log('| measure | median ms | p90 ms | min ms | max ms |');
  console.log('|---|---:|---:|---:|---:|');
  const row = (label, v) => {
    const ok = v.filter(Number.isFinite);
    const missed = v.length - ok.length;
    console.log(`| ${label}${missed > 0 ? ` (${missed} of ${v.length} runs: not within ${REJOIN_MS / 1000} s)` : ''} | ${fmt(quantile(v, 0.5))} | ${fmt(quantile(v, 0.9))} | ${fmt(Math.min(...ok))} | ${fmt(Math.max(...ok))} |`);
  };
  row('kill -9 of leader node001 → all four agree on node002 (and node001 dead)', failover);
  row('kill -9 → first "Node timeout: node001" logged', detect);
  row('restart of node001 → the four list it alive and follow it', rejoinOthers);
  row('restart of node001 → node001 itself lists the four alive (and leads)', rejoinSelf);
  row('restart of node001 → all five agree on node001 again', rejoin);
  console.log(`\nOther agents falsely declared dead during these runs: ${falseDeaths}.\n`);
  if (slowRuns > 0) console.log(`${slowRuns} of ${opts.runs} rejoins took 5 s or more; the first ${slow.length} in detail:\n`);
  for (const x of slow) {
    console.log(`Run ${x.run}: all five agreed again only after ${Number.isFinite(x.ms) ? `${x.ms} ms` : `more than ${REJOIN_MS / 1000} s`}. Views then:\n\n    ${x.views.join('\n    ')}\n\nLog lines since the kill:\n\n    ${x.logs.join('\n    ')}\n`);
  }
}

// ---- (b) many agents on 127.0.0.1 --------------------------------------------------------

function portFree(port) {
  const tcp = new Promise((resolve) => {
    const s = createServer().once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  const udp = new Promise((resolve) => {
    const s = createSocket('udp4').once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  return Promise.all([tcp, udp]).then(([a, b]) => a && b);
}

async function freeBase(count) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let i = 1; i <= count && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${count} free ports found on 127.0.0.1`);
}

async function benchLocal() {
  const n = opts.agents;
  const base = await freeBase(2 * n);
  const gossipPorts = Array.from({ length: n }, (_, k) => base + 1 + k);
  const webPorts = Array.from({ length: n }, (_, k) => base + n + 1 + k);
  const agents = [];
  const respawns = [];
  const spawnLocal = (k) => {
    const file = join(dir, `local-${id(k + 1)}.conf`);
    writeFileSync(
      file,
      `[cluster]\nname = bench\nmulticast_group = off\nexpect = ${n}\n[gossip]\nprofile = ${opts.profile}\n` +
        `[agent]\nid = ${id(k + 1)}\nbind_address = 127.0.0.1\nport = ${gossipPorts[k]}\nweb = 127.0.0.1:${webPorts[k]}\ndata_dir = ${join(dir, `local-${id(k + 1)}`)}\nlog_format = json\n` +
        `[nodes]\nnode001 = "127.0.0.1:${gossipPorts[0]}"\n`,
    );
    agents[k] = launch(process.execPath, [BIN, 'start', '--config', file]);
  };
  /**
   * An agent that ends before it runs is started again, at most twice, and
   * the report says why: another program on this machine (tests run in
   * parallel) may take a port between the check and the agent's bind (then
   * it gets other ports; not the seed, whose port the others know), or lib/
   * may be in the middle of a rebuild.
   */
  const restartIfItDied = async (k) => {
    const a = agents[k];
    if ((a.child.exitCode === null && a.child.signalCode === null) || a.records.some((r) => r.msg?.endsWith(' running'))) return;
    if (respawns.filter((r) => r.k === k).length >= 2) return;
    const portTaken = /DINC_LISTEN_FAILED/.test(a.stderr());
    const lines = a.stderr().trim().split('\n');
    respawns.push({ k, why: portTaken ? a.records.find((r) => r.code === 'DINC_LISTEN_FAILED')?.msg : (lines.find((l) => /Error/.test(l)) ?? lines.at(-1)) });
    if (portTaken && k > 0) {
      for (let port = 20_000 + Math.floor(Math.random() * 30_000), found = 0; found < 2; port++) {
        if (!(await portFree(port))) continue;
        if (found++ === 0) gossipPorts[k] = port;
        else webPorts[k] = port;
      }
    }
    spawnLocal(k);
  };
  const loadBefore = loadavg()[0].toFixed(1);
  const t0 = Date.now();
  for (let k = 0; k < n; k++) spawnLocal(k);
  const spawned = Date.now() - t0;
  const convergedAt = new Array(n).fill(NaN);
  const best = new Array(n).fill(0);
  const cpuAtConverge = new Array(n).fill(NaN);
  const until = t0 + 180_000;
  while (convergedAt.some((x) => !Number.isFinite(x)) && Date.now() < until) {
    await Promise.all(
      agents.map(async (a, k) => {
        if (Number.isFinite(convergedAt[k])) return;
        try {
          await restartIfItDied(k);
          const v = await getJson(`http://127.0.0.1:${webPorts[k]}/v1/members`, 2000);
          best[k] = Math.max(best[k], v.members.filter((m) => m.state === 'alive').length);
          if (v.members.filter((m) => m.state === 'alive').length === n) {
            convergedAt[k] = Date.now() - t0;
            cpuAtConverge[k] = usage(a.child.pid).cpu;
          }
        } catch {
          // not listening yet
        }
      }),
    );
    await sleep(250);
  }
  const all = Math.max(...convergedAt);
  const runningAt = agents.map((a) => Date.parse(a.records.find((r) => r.msg?.endsWith(' running'))?.time ?? '') - t0);
  const lastRunning = Math.max(...runningAt);
  // Every agent at the same moment: all alive, one leader.
  const final = await Promise.all(agents.map((_, k) => getJson(`http://127.0.0.1:${webPorts[k]}/v1/members`, 5000).catch(() => null)));
  const together = final.filter((v) => v && v.members.filter((m) => m.state === 'alive').length === n).length;
  const leaders = new Set(final.map((v) => v?.leader ?? 'none'));

  const stats = () => Promise.all(agents.map((_, k) => getJson(`http://127.0.0.1:${webPorts[k]}/v1/status`, 5000).then((j) => ({ packets_in: j.counters.in.udp.packets, bytes_in: j.counters.in.udp.bytes })).catch(() => null)));
  const rest0 = agents.map((a) => usage(a.child.pid));
  const stats0 = await stats();
  const restMs = 20_000;
  await sleep(restMs);
  const rest1 = agents.map((a) => usage(a.child.pid));
  const stats1 = await stats();
  const rate = (key) => stats1.map((x, k) => (x && stats0[k] ? (x[key] - stats0[k][key]) / (restMs / 1000) : NaN));
  const packetsIn = rate('packets_in');
  const bytesIn = rate('bytes_in');
  const restCpu = rest1.map((u, k) => ((u.cpu - rest0[k].cpu) / (restMs / 1000)) * 100);
  const rss = rest1.map((u) => u.rss);
  const logs = agents.flatMap((a) => a.records);
  const convergedWall = t0 + (Number.isFinite(all) ? all : 180_000);
  const split = (prefix) => {
    const hits = logs.filter((r) => r.msg?.startsWith(prefix));
    const before = hits.filter((r) => Date.parse(r.time) <= convergedWall).length;
    return `${hits.length} (${before} before convergence, ${hits.length - before} after)`;
  };
  const timeouts = split('Node timeout');
  const suspicions = split('Suspecting node');
  const failed = agents.map((a, k) => [id(k + 1), a]).filter(([, a]) => a.child.exitCode !== null || a.child.signalCode !== null);
  const failedAgents = failed.length;
  for (const a of agents) a.child.kill('SIGKILL');

  console.log(`### (b) ${n} agents on 127.0.0.1 started at once (seeds = node001, multicast off, profile ${opts.profile})\n`);
  console.log(
    `Machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average ${loadBefore} before the start, ${loadavg()[0].toFixed(1)} at the end ` +
      `(other programs on the machine count too); all ${n} spawned within ${spawned} ms.\n`,
  );
  console.log('| measure | value |');
  console.log('|---|---:|');
  console.log(`| spawn → every agent lists ${n} alive (last agent) | ${Number.isFinite(all) ? `${all} ms` : `not within 180 s (${convergedAt.filter(Number.isFinite).length} of ${n})`} |`);
  console.log(`| spawn → first / median agent lists ${n} alive | ${fmt(Math.min(...convergedAt))} / ${fmt(quantile(convergedAt, 0.5))} ms |`);
  console.log(`| spawn → last agent logged "running" (start-up of ${n} Node processes on ${cpus().length} CPUs) | ${fmt(lastRunning)} ms |`);
  console.log(`| last agent "running" → every agent lists ${n} alive | ${fmt(all - lastRunning)} ms |`);
  console.log(`| agents that list ${n} alive at one moment afterwards | ${together} of ${n} |`);
  console.log(`| leaders named by the ${n} agents | ${[...leaders].join(', ')} |`);
  console.log(`| CPU per agent from spawn to its convergence, median / p90 / max | ${fmt(quantile(cpuAtConverge, 0.5), 2)} / ${fmt(quantile(cpuAtConverge, 0.9), 2)} / ${fmt(Math.max(...cpuAtConverge), 2)} s |`);
  console.log(`| CPU per agent at rest (${restMs / 1000} s after convergence), median / p90 / max | ${fmt(quantile(restCpu, 0.5), 2)} / ${fmt(quantile(restCpu, 0.9), 2)} / ${fmt(Math.max(...restCpu), 2)} % of a core |`);
  console.log(`| all ${n} agents at rest together | ${fmt(restCpu.reduce((s, x) => s + x, 0), 1)} % of a core |`);
  console.log(`| UDP packets received per agent per second at rest, median / max | ${fmt(quantile(packetsIn, 0.5), 1)} / ${fmt(Math.max(...packetsIn), 1)} (${fmt(quantile(bytesIn, 0.5) / 1024, 1)} KiB/s median) |`);
  console.log(`| RSS per agent at rest, median / p90 / max | ${fmt(quantile(rss, 0.5), 1)} / ${fmt(quantile(rss, 0.9), 1)} / ${fmt(Math.max(...rss), 1)} MiB |`);
  console.log(`| "Node timeout" lines (false deaths: nobody was stopped) | ${timeouts} |`);
  console.log(`| "Suspecting node" lines | ${suspicions} |`);
  console.log(`| agents that exited by themselves | ${failedAgents} |`);
  console.log(`| agents started again because they ended before running | ${respawns.length}${respawns.length > 0 ? ` (${respawns.map((r) => `${id(r.k + 1)}: ${r.why}`).join('; ')})` : ''} |`);
  console.log('');
  if (Number.isFinite(all)) return;
  console.log(`Not converged. Most members seen alive, per agent: ${best.join(' ')}.`);
  for (const [name, a] of failed) console.log(`\n${name} exited (${a.child.exitCode ?? a.child.signalCode}); its last log lines:\n\n    ${a.stderr().trim().split('\n').slice(-5).join('\n    ')}`);
  console.log('');
}

// ---- main ------------------------------------------------------------------------------

if (!existsSync(join(ROOT, 'lib', 'bin.js'))) throw new Error('lib/ is not built: run `make build` (or npx tsc -p tsconfig.build.json) first');
console.log(`## dinc-agent on real networks (${new Date().toISOString().slice(0, 10)})\n`);
const peers = ['serf', 'consul'].filter((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
console.log(`Only dinc-agent is measured: ${peers.length > 0 ? `${peers.join(', ')} found but not driven by this bench` : 'no peer agent (serf, consul) is installed here'}.\n`);
if (opts.only !== 'local') {
  const missing = netnsReady();
  if (missing) console.log(`### (a) Five agents in five network namespaces: skipped (${missing}; it needs root and iproute2)\n`);
  else await benchNetns();
}
if (opts.only !== 'netns') await benchLocal();
cleanup();
