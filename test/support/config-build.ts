/** Builds a config from the text of a cluster.conf for tests, or lists the problems it has. */
import { buildConfig, type AgentConfig, type Override } from '../../src/config/load.js';
import { ConfigInvalidError } from '../../src/errors.js';

export interface BuildOptions {
  readonly hostname: string;
  readonly overrides?: readonly Override[];
}

export function buildFromText(text: string, opts: BuildOptions): AgentConfig {
  return buildConfig({ file: { path: 'cluster.conf', text }, overrides: opts.overrides ?? [], hostname: opts.hostname });
}

/** The problems buildConfig reports for `text`, or [] when it is valid. */
export function problemsOf(text: string, opts: BuildOptions): readonly string[] {
  try {
    buildFromText(text, opts);
    return [];
  } catch (e) {
    if (e instanceof ConfigInvalidError) return e.problems;
    throw e;
  }
}
