/**
 * `dinc-agent config validate [--strict]`: check a config file (and any
 * override flags) without starting anything. Problems fail it (exit 2);
 * warnings are printed, and fail it too with `--strict`.
 */
import { checkConfigFile, type Override } from '../config/load.js';
import { ConfigInvalidError, ExitCode, UsageError } from '../errors.js';
import type { CliIO } from './io.js';

export interface ValidateOptions {
  readonly overrides: readonly Override[];
  /** Warnings count as problems. */
  readonly strict?: boolean;
}

export async function configValidate(file: string | undefined, opts: ValidateOptions, io: CliIO): Promise<ExitCode> {
  if (file === undefined) throw new UsageError('name the file to check: dinc-agent config validate cluster.conf');
  const { config, warnings } = await checkConfigFile(file, { overrides: opts.overrides, hostname: io.hostname() });
  if (opts.strict && warnings.length > 0) throw new ConfigInvalidError(warnings);
  const seeds = config.nodes.length;
  const counted = warnings.length === 0 ? '' : `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}, which --strict refuses`;
  io.stdout.write(`${file}: valid (agent ${config.agent.id}, cluster ${config.cluster.name}, ${seeds} seed${seeds === 1 ? '' : 's'})${counted}\n`);
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
  return ExitCode.Ok;
}
