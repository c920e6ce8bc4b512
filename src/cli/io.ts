/** What a command may touch of the outside world; bin passes the real process, tests pass fakes. */
import type { LogOutput } from '../ops/log.js';
import type { Signals } from '../runtime/signals.js';
import type { Terminal } from '../ui/terminal/terminal.js';

export interface CliIO {
  readonly stdout: LogOutput;
  readonly stderr: LogOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signals: Signals;
  /** The terminal, when stdout is one: its size, resizes and keys. */
  readonly terminal?: Terminal;
  /** Ends the process at once with `code` (the second stop signal). */
  exitNow(code: number): void;
  hostname(): string;
}

/** Whether to colour text written to `out`: a terminal, and neither NO_COLOR nor TERM=dumb. */
export function useColor(out: LogOutput, env: CliIO['env']): boolean {
  return out.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}
