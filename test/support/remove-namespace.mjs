// Removal of a Linux network namespace, shared by test/support/netns.ts and
// bench/cluster-real.mjs (plain JavaScript, so that bench scripts, which run
// without a TypeScript loader, can import it too).
import { spawnSync } from 'node:child_process';

/**
 * Kills every process left in network namespace `ns` (SIGKILL), then deletes
 * it; never throws, and a namespace already gone is no error.
 * @param {string} ns
 * @returns {void}
 */
export function removeNamespace(ns) {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  for (const pid of pids.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', ns]);
}
