import { describe, expect, it } from 'vitest';
import { normalizeArgv } from '../../../src/cli/argv.js';
import { configFlagNames } from '../../../src/cli/flags.js';

const flags = configFlagNames();

describe("GoCluster's command line", () => {
  it('single-dash long flags become double-dash, and no command means start', () => {
    expect(normalizeArgv(['-config', 'cluster.conf', '-bind-address', '0.0.0.0', '-port', '7946', '-web', '0.0.0.0:8080'], flags)).toEqual([
      'start', '--config', 'cluster.conf', '--bind-address', '0.0.0.0', '--port', '7946', '--web', '0.0.0.0:8080',
    ]);
  });

  it('the -flag=value form is kept whole', () => {
    expect(normalizeArgv(['-config=c.conf'], flags)).toEqual(['start', '--config=c.conf']);
  });

  it('an explicit command and short flags are left alone', () => {
    expect(normalizeArgv(['start', '--config', 'c.conf', '-port', '1'], flags)).toEqual(['start', '--config', 'c.conf', '--port', '1']);
    expect(normalizeArgv(['-h'], flags)).toEqual(['-h']);
    expect(normalizeArgv(['-V'], flags)).toEqual(['-V']);
    expect(normalizeArgv(['--version'], flags)).toEqual(['--version']);
    expect(normalizeArgv([], flags)).toEqual([]);
  });

  it('an unknown single-dash word is not rewritten', () => {
    expect(normalizeArgv(['start', '-nonsense'], flags)).toEqual(['start', '-nonsense']);
  });
});
