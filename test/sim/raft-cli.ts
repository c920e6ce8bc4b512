/**
 * The command line of the Raft simulation runner (`npm run sim -- raft ...`),
 * parsed without a process, and the one summary line it prints.
 *
 *   --seeds N         run N seeds (default 100)
 *   --start-seed S    the first seed of the range (default 1)
 *   --seed S          replay one seed and print its trace
 *   --servers 3|5     the group size (default: 3 for odd seeds, 5 for even)
 *   --chaos-ms MS     virtual milliseconds of faults per seed (default 3000)
 *   --workers W       worker threads (default: the number of cores, at most 2)
 *   --planted-bug     turn on the core's test-only fault unsafeCommitPreviousTerm
 */
import type { RaftRunResult } from './raft-run.js';

export interface SimArgs {
  readonly startSeed: number;
  readonly seeds: number;
  /** Replay this one seed with a printed trace. */
  readonly replay?: number;
  readonly servers?: number;
  readonly chaosMs?: number;
  readonly workers?: number;
  readonly plantedBug: boolean;
}

export const USAGE = 'usage: npm run sim -- raft [--seeds N] [--start-seed S] [--seed S] [--servers 3|5] [--chaos-ms MS] [--workers W] [--planted-bug]';

/** The arguments after the suite name; throws Error with a message naming the bad one. */
export function parseSimArgs(argv: readonly string[]): SimArgs {
  const numbers = new Map<string, number>();
  let plantedBug = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--planted-bug') {
      plantedBug = true;
      continue;
    }
    if (!['--seeds', '--start-seed', '--seed', '--servers', '--chaos-ms', '--workers'].includes(flag)) throw new Error(`unknown argument ${JSON.stringify(flag)}`);
    const text = argv[++i];
    const value = Number(text);
    if (text === undefined || !Number.isSafeInteger(value) || value < 0) throw new Error(`${flag} needs a non-negative integer, got ${JSON.stringify(text)}`);
    numbers.set(flag, value);
  }
  const servers = numbers.get('--servers');
  if (servers !== undefined && servers !== 3 && servers !== 5) throw new Error(`--servers must be 3 or 5, got ${servers}`);
  const workers = numbers.get('--workers');
  if (workers === 0) throw new Error('--workers must be at least 1');
  const replay = numbers.get('--seed');
  const chaosMs = numbers.get('--chaos-ms');
  return {
    startSeed: numbers.get('--start-seed') ?? 1,
    seeds: numbers.get('--seeds') ?? 100,
    plantedBug,
    ...(replay === undefined ? {} : { replay }),
    ...(servers === undefined ? {} : { servers }),
    ...(chaosMs === undefined ? {} : { chaosMs }),
    ...(workers === undefined ? {} : { workers }),
  };
}

/** `raft: 1000 seeds, 0 violations, 51234 operations checked` (plus unknown outcomes and undecided keys, if any). */
export function summaryLine(results: readonly RaftRunResult[]): string {
  const violations = results.filter((r) => r.violation !== undefined).length;
  const checked = results.reduce((sum, r) => sum + r.checked, 0);
  const unknown = results.reduce((sum, r) => sum + r.unknown, 0);
  const undecided = results.reduce((sum, r) => sum + r.undecidedKeys, 0);
  const extras = [unknown > 0 ? `${unknown} unknown outcomes` : '', undecided > 0 ? `${undecided} keys undecided within the check's budget` : ''].filter(Boolean);
  return [`raft: ${results.length} seeds`, `${violations} violations`, `${checked} operations checked`, ...extras].join(', ');
}

/** The command that replays `seed` exactly. */
export function replayCommand(seed: number, args: SimArgs): string {
  const extra = [args.servers !== undefined ? `--servers ${args.servers}` : '', args.chaosMs !== undefined ? `--chaos-ms ${args.chaosMs}` : '', args.plantedBug ? '--planted-bug' : ''];
  return ['npm run sim -- raft --seed', String(seed), ...extra].filter(Boolean).join(' ');
}
