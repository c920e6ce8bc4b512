// Promises: the runner's command-line options, checked, with defaults; throws
// with the usage text on anything unknown or malformed.
import { tmpdir } from 'node:os';

export const USAGE =
  'usage: node bench/raft/run.mjs [--seconds 5] [--warmup 1] [--failovers 20] [--only etcd|dinc] [--data-root DIR]';

export function parseArgs(argv) {
  const opts = { seconds: 5, warmup: 1, failovers: 20, only: '', dataRoot: tmpdir() };
  const names = { '--seconds': 'seconds', '--warmup': 'warmup', '--failovers': 'failovers', '--only': 'only', '--data-root': 'dataRoot' };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--help' || argv[i] === '-h') throw new Error(USAGE);
    const key = names[argv[i]];
    const value = argv[i + 1];
    if (!key || value === undefined) throw new Error(`bad option ${argv[i]}\n${USAGE}`);
    opts[key] = typeof opts[key] === 'number' ? Number(value) : value;
  }
  if (!(opts.seconds > 0 && opts.seconds <= 120)) throw new Error(`--seconds must be in (0, 120]\n${USAGE}`);
  if (!(opts.warmup >= 0 && opts.warmup <= 60)) throw new Error(`--warmup must be in [0, 60]\n${USAGE}`);
  if (!(Number.isInteger(opts.failovers) && opts.failovers >= 0 && opts.failovers <= 200)) throw new Error(`--failovers must be an integer in [0, 200]\n${USAGE}`);
  if (!['', 'etcd', 'dinc'].includes(opts.only)) throw new Error(`--only must be etcd or dinc\n${USAGE}`);
  return opts;
}
