// Start-up time of `dinc-agent --version` (the standalone binary, the npm
// package through node and through npx) beside Node's own floor and peer
// agents' binaries, measured in one run. Prints a Markdown table; never
// passes or fails. Usage: node bench/startup.mjs [runs]   (`make bench`)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 21);
const binary = join(root, 'dist', 'dinc-agent-linux-x64');

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;

/** [label, file, args, cwd, how to get it] */
const subjects = [
  ['dinc-agent binary (SEA, Node 24)', existsSync(binary) ? binary : null, ['--version'], root, 'make binary'],
  ['node bin/dinc-agent (npm package)', process.execPath, [join(root, 'bin', 'dinc-agent'), '--version'], root, 'make build'],
  ['npx dinc-agent', which('npx'), ['--no-install', 'dinc-agent', '--version'], root, 'npm'],
  ['node -e 0 (Node 20 floor)', process.execPath, ['-e', '0'], root, ''],
  ['etcd --version (Go)', which('etcd'), ['--version'], root, 'apt-get install etcd-server'],
  ['consul version (Go)', which('consul'), ['version'], root, 'not in Debian'],
  ['nginx -v (C)', which('nginx'), ['-v'], root, 'apt-get install nginx'],
];

function measure(file, args, cwd) {
  const times = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(file, args, { cwd, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}`);
    if (i >= 2) times.push(ms); // two warm-up runs fill the page cache
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], p90: times[Math.floor(times.length * 0.9)] };
}

const rows = [];
for (const [label, file, args, cwd, how] of subjects) {
  rows.push(file ? { label, ...measure(file, args, cwd) } : { label, missing: how });
}
const ref = rows[0].median;
console.log(`Start-up to exit of \`--version\`, ${runs} runs each after 2 warm-up runs (${new Date().toISOString().slice(0, 10)}, Node ${process.version}).\n`);
console.log('| command | median ms | p90 ms | median vs dinc-agent binary |');
console.log('|---|---:|---:|---:|');
for (const r of rows) {
  if (r.missing) console.log(`| ${r.label} | not installed (${r.missing}) | | |`);
  else console.log(`| ${r.label} | ${r.median.toFixed(1)} | ${r.p90.toFixed(1)} | ${ref ? (r.median / ref).toFixed(2) : '-'}x |`);
}
