/** `dinc-agent config validate`: check a config file (and any override flags) without starting anything. */
import { loadConfig, type Override } from '../config/load.js';
import { ExitCode, UsageError } from '../errors.js';
import type { CliIO } from './io.js';

export async function configValidate(file: string | undefined, overrides: readonly Override[], io: CliIO): Promise<ExitCode> {
  if (file === undefined) throw new UsageError('name the file to check: dinc-agent config validate cluster.conf');
  const config = await loadConfig(file, { overrides, hostname: io.hostname() });
  const seeds = config.nodes.length;
  io.stdout.write(`${file}: valid (agent ${config.agent.id}, cluster ${config.cluster.name}, ${seeds} seed${seeds === 1 ? '' : 's'})\n`);
  return ExitCode.Ok;
}
