/** Follows a child process's JSON log lines on stderr: every line kept, waits resolved as lines arrive. */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { LogRecord } from './memory-log.js';

export interface LogWatch {
  readonly records: LogRecord[];
  readonly stderr: () => string;
  /** Resolves with the exit code, or the signal's name, once the process ends. */
  readonly exited: Promise<number | string>;
  /** The first record matching `predicate`; rejects when the process ends first or after `timeoutMs`. */
  waitFor(predicate: (r: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
}

/** `where` names the process in error messages (e.g. "in dinc123-h1"). */
export function watchLogs(child: ChildProcess, where = ''): LogWatch {
  const records: LogRecord[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  if (child.stderr === null) throw new Error('watchLogs needs a piped stderr');
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr += `${line}\n`;
    try {
      records.push(JSON.parse(line) as LogRecord);
    } catch {
      return;
    }
    for (const w of waiters) w();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve(code ?? signal ?? -1);
      for (const w of waiters) w();
    }),
  );
  const ended = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    records,
    stderr: () => stderr,
    exited,
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = records.find(predicate);
          if (hit) settle(() => resolve(hit));
          else if (ended()) settle(() => reject(new Error(`process${where} exited before the awaited log line:\n${stderr}`)));
        };
        const timer = setTimeout(() => settle(() => reject(new Error(`no such log line within ${timeoutMs} ms${where}:\n${stderr}`))), timeoutMs);
        const settle = (fn: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          fn();
        };
        waiters.add(check);
        check();
      });
    },
  };
}
