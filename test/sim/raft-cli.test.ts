import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSimArgs, replayCommand, summaryLine } from './raft-cli.js';
import type { RaftRunResult } from './raft-run.js';

// The Raft simulation runner: its arguments, its one summary line, and the
// script itself (scripts/sim.mjs bundles raft-main.ts with esbuild and runs it).

const result = (seed: number, checked: number, unknown = 0, violation?: string): RaftRunResult => ({
  seed,
  checked,
  unknown,
  undecidedKeys: 0,
  traceHash: '',
  endedAt: 0,
  terms: 1,
  ...(violation === undefined ? {} : { violation }),
});

describe('the runner\'s command line', () => {
  it('takes a range of seeds, a seed to replay, the group size and the planted bug', () => {
    expect(parseSimArgs(['--seeds', '1000'])).toEqual({ startSeed: 1, seeds: 1000, plantedBug: false });
    expect(parseSimArgs(['--seeds', '50', '--start-seed', '900', '--servers', '5', '--planted-bug'])).toEqual({ startSeed: 900, seeds: 50, servers: 5, plantedBug: true });
    expect(parseSimArgs(['--seed', '42'])).toMatchObject({ replay: 42 });
  });

  it('refuses what it does not know, naming it', () => {
    expect(() => parseSimArgs(['--seeds'])).toThrow('--seeds needs a non-negative integer, got undefined');
    expect(() => parseSimArgs(['--servers', '4'])).toThrow('--servers must be 3 or 5, got 4');
    expect(() => parseSimArgs(['--fast'])).toThrow('unknown argument "--fast"');
  });

  it('sums the runs up in one line, with unknown outcomes only when there are some', () => {
    expect(summaryLine([result(1, 10), result(2, 20)])).toBe('raft: 2 seeds, 0 violations, 30 operations checked');
    expect(summaryLine([result(1, 10, 3), result(2, 0, 0, 'election safety: ...')])).toBe('raft: 2 seeds, 1 violations, 10 operations checked, 3 unknown outcomes');
    expect(replayCommand(7, { startSeed: 1, seeds: 1, servers: 3, plantedBug: true })).toBe('npm run sim -- raft --seed 7 --servers 3 --planted-bug');
  });
});

describe('npm run sim -- raft', () => {
  const sim = (...args: string[]): { status: number | null; lines: string[] } => {
    const run = spawnSync(process.execPath, ['scripts/sim.mjs', 'raft', ...args], { encoding: 'utf8' });
    return { status: run.status, lines: run.stdout.split('\n').filter(Boolean) };
  };

  it('prints exactly one summary line and exits 0 when every seed passes', () => {
    const { status, lines } = sim('--seeds', '4', '--chaos-ms', '1000');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^raft: 4 seeds, 0 violations, \d+ operations checked(, \d+ unknown outcomes)?$/);
    expect(status).toBe(0);
  }, 60_000);

  it('prints each violating seed with the command that replays it, and exits 1', () => {
    const { status, lines } = sim('--seeds', '30', '--planted-bug');
    expect(lines.some((line) => /^ {2}replay: npm run sim -- raft --seed \d+ --planted-bug$/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^raft: 30 seeds, [1-9]\d* violations/);
    expect(status).toBe(1);
  }, 60_000);
});
