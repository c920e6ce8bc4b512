/** The real process's terminal. */
import type { Terminal } from './terminal.js';

/** The terminal of this process when stdout is one; undefined otherwise (a pipe, a file). */
export function processTerminal(): Terminal | undefined {
  const out = process.stdout;
  if (!out.isTTY) return undefined;
  return {
    size: () => ({ columns: out.columns, rows: out.rows }),
    onResize(listener) {
      out.on('resize', listener);
      return () => out.off('resize', listener);
    },
    readKeys(listener) {
      // stdin is touched only here: opening it for every command would hold a terminal it does not need.
      const input = process.stdin;
      if (!input.isTTY) return () => undefined;
      const onData = (data: Buffer): void => listener(data.toString('utf8'));
      input.setRawMode(true);
      input.on('data', onData);
      input.resume();
      return () => {
        input.off('data', onData);
        input.setRawMode(false);
        input.pause();
      };
    },
  };
}
