/** `dinc-agent start`: load the config, then run the agent until a stop signal. */
import { checkConfigFile, type CheckedConfig, type Override } from '../config/load.js';
import type { RoleName } from '../config/roles.js';
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
  const check = async (): Promise<CheckedConfig> => {
    const input = { overrides: opts.overrides, hostname: io.hostname() };
    const checked = await checkConfigFile(opts.config, input);
    const role = opts.role;
    if (role === undefined || checked.config.agent.roles.includes(role)) return checked;
    const roles = { flag: role, section: 'agent' as const, key: 'roles', value: [...checked.config.agent.roles, role].join(',') };
    return checkConfigFile(opts.config, { ...input, overrides: [...opts.overrides, roles] });
  };
  const { config, warnings } = await check();
  const log = Logger.create(io.stderr, {
    level: config.agent.log_level,
    format: config.agent.log_format,
    color: useColor(io.stderr, io.env),
  });
  if (opts.config === undefined) log.info('no --config given: running on the defaults, as a cluster of one');
  // Said at every start: running without authentication beyond loopback is allowed, never silent.
  for (const warning of warnings) log.warn(warning);
  return runAgent(config, {
    log,
    signals: io.signals,
    exitNow: (code) => io.exitNow(code),
    reloadConfig: async () => (await check()).config,
    monotonicMs: () => performance.now(),
  });
}
