// Runs a simulation suite from the command line: `npm run sim -- raft --seeds 1000`.
// The suite's TypeScript entry is bundled by esbuild into a temporary
// directory (removed afterwards) and run with this node, so the simulator
// needs no runtime dependency beyond the dev tools already installed.
// The exit code is the suite's: 0 all seeds passed, 1 a violation, 2 bad usage.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const SUITES = { raft: 'test/sim/raft-main.ts' };

const [suite, ...args] = process.argv.slice(2);
const entry = SUITES[suite];
if (entry === undefined) {
  console.error(`usage: npm run sim -- <suite> [options]; suites: ${Object.keys(SUITES).join(', ')}`);
  process.exitCode = 2;
} else {
  const dir = mkdtempSync(join(tmpdir(), 'dinc-sim-'));
  try {
    const outfile = join(dir, `${suite}.mjs`);
    await build({
      entryPoints: [join(root, entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      sourcemap: 'inline',
      logLevel: 'warning',
    });
    const run = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit' });
    process.exitCode = run.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
