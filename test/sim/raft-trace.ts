/**
 * The readable story of one simulated run: ticks, messages, nemesis actions,
 * role changes and client operations, one line each, stamped with virtual
 * time. It can be printed as it happens, reduced to a hash (two runs of one
 * seed must give the same hash), or switched off (the lines are never built).
 */
import { createHash, type Hash } from 'node:crypto';

export type TraceMode = 'off' | 'hash' | 'print';

export class Trace {
  private readonly hash: Hash | undefined;
  private lines = 0;

  constructor(
    readonly mode: TraceMode,
    private readonly now: () => number,
    private readonly print: (line: string) => void = (line) => console.log(line),
  ) {
    this.hash = mode === 'off' ? undefined : createHash('sha256');
  }

  /** Whether lines are wanted; callers check this before building an expensive line. */
  get on(): boolean {
    return this.mode !== 'off';
  }

  /** Records one line; `line` is called only when the trace is on. */
  log(who: string, line: () => string): void {
    if (this.mode === 'off') return;
    const text = `${this.now().toFixed(3).padStart(10)} ${who.padEnd(8)} ${line()}`;
    this.lines++;
    this.hash?.update(text).update('\n');
    if (this.mode === 'print') this.print(text);
  }

  /** Lines recorded so far. */
  get length(): number {
    return this.lines;
  }

  /** The hash of every line so far (hex); empty when the trace is off. Ends the trace. */
  digest(): string {
    return this.hash?.digest('hex') ?? '';
  }
}
