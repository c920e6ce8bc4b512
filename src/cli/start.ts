/** `dinc-agent start`: load the config, then run the agent until a stop signal. */
import { loadConfig, type AgentConfig, type Override } from '../config/load.js';
import type { RoleName } from '../roles/index.js';
import type { ExitCode } from '../errors.js';
import { Logger } from '../ops/log.js';
import { runAgent } from '../runtime/agent.js';
import { useColor, type CliIO } from './io.js';

export interface StartOptions {
  readonly config?: string;
  readonly overrides: readonly Override[];
  /** A role to run whatever `[agent] roles` says (`dinc-agent raft`). */
  readonly role?: RoleName;
}

export async function start(opts: StartOptions, io: CliIO): Promise<ExitCode> {
  const load = async (): Promise<AgentConfig> => {
    const input = { overrides: opts.overrides, hostname: io.hostname() };
    const config = await loadConfig(opts.config, input);
    const role = opts.role;
    if (role === undefined || config.agent.roles.includes(role)) return config;
    const roles = { flag: role, section: 'agent' as const, key: 'roles', value: [...config.agent.roles, role].join(',') };
    return loadConfig(opts.config, { ...input, overrides: [...opts.overrides, roles] });
  };
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
