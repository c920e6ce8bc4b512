/**
 * Command-line compatibility with GoCluster, whose agent is run as
 * `./agent -config cluster.conf -bind-address 0.0.0.0 -port 7946 -web :8080`:
 * Go-style single-dash long flags become `--flags`, and flags with no command
 * mean `start`.
 */

const TOP_LEVEL_FLAGS = new Set(['-h', '--help', '-V', '--version']);

/** Rewrites GoCluster-style argv into this CLI's form; other argv passes through unchanged. */
export function normalizeArgv(argv: readonly string[], longFlags: ReadonlySet<string>): string[] {
  const out = argv.map((arg) => {
    const m = /^-([a-z][a-z-]+)(=.*)?$/.exec(arg);
    return m && longFlags.has(`--${m[1]}`) ? `-${arg}` : arg;
  });
  const first = out[0];
  if (first !== undefined && first.startsWith('-') && !TOP_LEVEL_FLAGS.has(first)) out.unshift('start');
  return out;
}
