/**
 * Tools some tests need from the machine (Debian packages that .ci/run
 * installs). Where one is missing the test is skipped with a message saying
 * how to install it, except under CI=true, where a missing tool fails the run.
 */
import { spawnSync } from 'node:child_process';

export function hasTool(command: string, install: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  if (found) return true;
  const message = `${command} is not installed: ${install}`;
  if (process.env.CI === 'true') throw new Error(`CI needs ${message}`);
  console.warn(`skipping tests that need ${message}`);
  return false;
}
