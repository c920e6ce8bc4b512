/** The settings that command-line flags override, taken from the schema's `flag` column. */
import { Option, type Command } from 'commander';
import type { Override } from '../config/load.js';
import { settings, type SectionName } from '../config/schema.js';

interface FlagBinding {
  readonly option: Option;
  readonly section: SectionName;
  readonly key: string;
}

const BINDINGS: readonly FlagBinding[] = [...settings()].flatMap(([section, key, s]) =>
  s.flag === undefined ? [] : [{ option: new Option(s.flag, `${s.doc} Overrides [${section}] ${key}.`), section, key }],
);

/** Adds `--config` and every override flag to `command`. */
export function addConfigFlags(command: Command): Command {
  command.option('--config <file>', 'cluster.conf to read (INI). Without it the agent runs on the defaults.');
  for (const b of BINDINGS) command.addOption(b.option);
  return command;
}

/** The overrides given in a command's parsed options. */
export function overridesFrom(opts: Readonly<Record<string, unknown>>): Override[] {
  return BINDINGS.filter((b) => typeof opts[b.option.attributeName()] === 'string')
    .map((b) => ({ flag: b.option.long as string, section: b.section, key: b.key, value: opts[b.option.attributeName()] as string }));
}

/** Every long flag that takes a value, for GoCluster-style argv. */
export function configFlagNames(): Set<string> {
  return new Set(['--config', ...BINDINGS.map((b) => b.option.long as string)]);
}
