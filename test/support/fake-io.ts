/** An in-memory CliIO: captured output, signals sent by hand, a fixed host name. */
import type { CliIO } from '../../src/cli/io.js';
import type { AgentSignal, Signals } from '../../src/runtime/signals.js';
import type { Terminal } from '../../src/ui/terminal/terminal.js';

export class FakeSignals implements Signals {
  private readonly handlers = new Map<AgentSignal, Set<() => void>>();

  on(signal: AgentSignal, handler: () => void): () => void {
    const set = this.handlers.get(signal) ?? new Set();
    set.add(handler);
    this.handlers.set(signal, set);
    return () => set.delete(handler);
  }

  send(signal: AgentSignal): void {
    for (const h of [...(this.handlers.get(signal) ?? [])]) h();
  }

  listenerCount(): number {
    return [...this.handlers.values()].reduce((n, s) => n + s.size, 0);
  }
}

export interface FakeIO extends CliIO {
  readonly out: () => string;
  readonly err: () => string;
  readonly signals: FakeSignals;
  readonly exits: number[];
}

/** With `terminal`, stdout is a TTY of that terminal. */
export function fakeIO(opts: { hostname?: string; env?: Record<string, string>; terminal?: Terminal } = {}): FakeIO {
  let out = '';
  let err = '';
  const exits: number[] = [];
  return {
    stdout: { write: (s: string) => (out += s), isTTY: opts.terminal !== undefined },
    stderr: { write: (s: string) => (err += s) },
    env: opts.env ?? {},
    signals: new FakeSignals(),
    terminal: opts.terminal,
    exitNow: (code) => exits.push(code),
    hostname: () => opts.hostname ?? 'node001.example.com',
    out: () => out,
    err: () => err,
    exits,
  };
}
