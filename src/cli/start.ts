/** `dinc-agent start`: load the config, then run the agent until a stop signal. */
import { loadConfig, type Override } from '../config/load.js';
import type { ExitCode } from '../errors.js';
import { Logger } from '../ops/log.js';
import { runAgent } from '../runtime/agent.js';
import { useColor, type CliIO } from './io.js';

export interface StartOptions {
  readonly config?: string;
  readonly overrides: readonly Override[];
}

export async function start(opts: StartOptions, io: CliIO): Promise<ExitCode> {
  const load = () => loadConfig(opts.config, { overrides: opts.overrides, hostname: io.hostname() });
  const config = await load();
  const log = Logger.create(io.stderr, {
    level: config.agent.log_level,
    format: config.agent.log_format,
    color: useColor(io.stderr, io.env),
  });
  if (opts.config === undefined) log.info('no --config given: running on the defaults, as a cluster of one');
  return runAgent(config, {
    log,
    signals: io.signals,
    exitNow: (code) => io.exitNow(code),
    reloadConfig: load,
    monotonicMs: () => performance.now(),
  });
}
