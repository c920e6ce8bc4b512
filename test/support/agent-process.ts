/**
 * Runs a real `dinc-agent` process for tests: its JSON log lines are parsed as
 * they arrive, `waitFor` resolves on the first matching line, and `stop`
 * kills it if a test left it running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { LogRecord } from './memory-log.js';
import { watchLogs, type LogWatch } from './log-watch.js';
import { freePortBase } from './ports.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'dinc-agent');

export interface AgentProcess extends LogWatch {
  readonly child: ChildProcess;
  kill(): void;
}

const running = new Set<ChildProcess>();

/**
 * Spawns `command` (default: bin/dinc-agent through this Node) with `args`;
 * logs are JSON. A `start` that names no gossip port gets one that is free,
 * on 127.0.0.1, so that agents of parallel tests neither clash nor send
 * anything off this host.
 */
export async function spawnAgent(args: readonly string[], opts: { command?: string; env?: NodeJS.ProcessEnv } = {}): Promise<AgentProcess> {
  const gossip = args[0] === 'start' && !args.some((a) => /^--?port\b/.test(a)) ? ['--bind-address', '127.0.0.1', '--port', String((await freePortBase(1)) + 1)] : [];
  const full = [...args, ...gossip];
  const [file, argv] = opts.command ? [opts.command, full] : [process.execPath, [BIN, ...full]];
  const child = spawn(file, argv, { env: opts.env ?? { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return { child, ...watchLogs(child), kill: () => child.kill('SIGKILL') };
}

/** Kills every agent a test started and left running; call from afterEach. */
export function killAgents(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** The `web` address an agent logged in its start-up line. */
export function webAddressOf(record: LogRecord): string {
  return `http://${String(record.web)}`;
}
