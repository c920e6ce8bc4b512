#!/usr/bin/env node
/**
 * The status views on a real three-agent cluster on 127.0.0.1 (lan profile):
 * the agent's CPU and RSS while the web UI (headless Chromium) and one
 * `dinc-agent status --watch` (in tmux) watch it, and the time from a
 * `kill -9` of a member to the change showing in the watch pane and on the
 * page. Beside it, GoCluster's arithmetic (6 s timeout, status printed every
 * 5 s). Prints a Markdown table; asserts nothing.
 *
 *   node bench/status-views.mjs [runs]     (needs tmux and chromium; default 5 runs)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'dinc-agent');
const { chromium } = createRequire(join(ROOT, 'package.json'))('playwright-core');
const RUNS = Number(process.argv[2] ?? 5);
const TMUX = ['-L', `dinc-bench-${process.pid}`];

/** A base port such that base+1..base+13 are free now. */
async function freeBase() {
  const free = (port) => new Promise((resolve) => {
    const s = createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  for (;;) {
    const base = 20000 + Math.floor(Math.random() * 40000);
    let ok = true;
    for (let p = base + 1; ok && p <= base + 13; p++) ok = await free(p);
    if (ok) return base;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'dinc-status-bench-'));
const base = await freeBase();
const web = (n) => `127.0.0.1:${base + 10 + n}`;
const agents = new Map();
function startAgent(n) {
  const conf = join(dir, `n${n}.conf`);
  const seeds = [1, 2, 3].map((k) => `node00${k} = "127.0.0.1:${base + k}"`).join('\n');
  writeFileSync(conf, `[cluster]\nname = bench\nmulticast_group = off\nexpect = 3\n[agent]\nid = node00${n}\nbind_address = 127.0.0.1\nport = ${base + n}\nweb = ${web(n)}\ndata_dir = ${join(dir, `d${n}`)}\n[nodes]\n${seeds}\n`);
  agents.set(n, spawn(process.execPath, [BIN, 'start', '--config', conf], { stdio: 'ignore' }));
}
const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const pane = () => execFileSync('tmux', [...TMUX, 'capture-pane', '-p']).toString();
const rowOf = (text, id) => text.split('\n').find((line) => line.includes(id)) ?? '';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let browser;
try {
  for (const n of [1, 2, 3]) startAgent(n);
  await sleep(4000);
  execFileSync('tmux', [...TMUX, 'new-session', '-d', '-x', '110', '-y', '30', `${process.execPath} ${BIN} status --watch --addr ${web(1)}`]);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const page = await browser.newPage();
  await page.goto(`http://${web(1)}/`);
  await sleep(5000);

  const pid = agents.get(1).pid;
  const t0 = cpuTicks(pid);
  const w0 = Date.now();
  await sleep(30_000);
  const cpu = ((cpuTicks(pid) - t0) / 100 / ((Date.now() - w0) / 1000)) * 100;
  const rss = rssMiB(pid);

  const paneSuspect = [];
  const paneDead = [];
  const pageDead = [];
  for (let run = 0; run < RUNS; run++) {
    const killedAt = Date.now();
    agents.get(3).kill('SIGKILL');
    let suspect, dead, onPage;
    while (Date.now() - killedAt < 30_000 && (dead === undefined || onPage === undefined)) {
      const row = rowOf(pane(), 'node003');
      if (suspect === undefined && /suspect|dead/.test(row)) suspect = Date.now() - killedAt;
      if (dead === undefined && /dead/.test(row)) dead = Date.now() - killedAt;
      const state = (await page.locator('tr, li, [data-member]', { hasText: 'node003' }).allTextContents()).join(' ');
      if (onPage === undefined && /dead/i.test(state)) onPage = Date.now() - killedAt;
      await sleep(25);
    }
    paneSuspect.push(suspect ?? NaN);
    paneDead.push(dead ?? NaN);
    pageDead.push(onPage ?? NaN);
    startAgent(3);
    while (!/alive/.test(rowOf(pane(), 'node003'))) await sleep(200);
  }
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`## Status views: three agents on 127.0.0.1, lan profile, ${RUNS} kills (median)\n`);
  console.log('| view | kill -9 → shown suspect | kill -9 → shown dead | agent CPU with the UI and one watcher | agent RSS |');
  console.log('|---|---|---|---|---|');
  console.log(`| dinc-agent status --watch | ${s(median(paneSuspect))} | ${s(median(paneDead))} | ${cpu.toFixed(2)} % of a core | ${rss.toFixed(1)} MiB |`);
  console.log(`| dinc-agent web UI | — | ${s(median(pageDead))} | (same agent) | |`);
  console.log('| GoCluster (6 s timeout, status printed every 5 s) | — | 6 – 11 s | — | — |');
} finally {
  await browser?.close();
  try {
    execFileSync('tmux', [...TMUX, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // no server left
  }
  for (const child of agents.values()) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
