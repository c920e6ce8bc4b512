// Promises: three member processes of one system, started, killed (-9) and
// restarted by index, with the system's own status probe deciding who leads
// and when all three are healthy. A member that dies while we wait for health
// fails the wait at once with the tail of its log. "Stable" adds that the
// leader and its term stay the same over a settle window, so a restarted
// member that disrupts the group shortly after rejoining does so before the
// next measurement, not during it.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pollUntil } from './poll.mjs';
import { killHard, startLogged, tail } from './procs.mjs';

/**
 * @param {object} spec
 * @param {string} spec.system             'etcd' | 'dinc'
 * @param {string[]} spec.urls             members' HTTP base URLs
 * @param {(i: number) => { cmd: string, args: string[], cwd: string, logFile: string }} spec.command
 * @param {(i: number) => Promise<any>} spec.probe          member i's status, null when it does not answer
 * @param {(statuses: any[]) => number | null} spec.leaderOf index of the leader among the answers
 * @param {(statuses: any[], note: (s: string) => void) => boolean} spec.healthy all three answer and agree
 * @param {(statuses: any[]) => string | null} spec.leaderTerm "<leader id>@<term>" as the leader reports it
 */
export function memberSet(spec) {
  const procs = [];
  const startMember = (i) => {
    const c = spec.command(i);
    procs[i] = startLogged(c.cmd, c.args, c);
  };
  const statuses = () => Promise.all(spec.urls.map((_, i) => spec.probe(i)));
  const set = {
    system: spec.system,
    urls: spec.urls,
    /** The command line of member i, for the report. */
    commandLine: (i) => {
      const c = spec.command(i);
      return [c.cmd, ...c.args].join(' ');
    },
    async start(timeoutMs) {
      spec.urls.forEach((_, i) => startMember(i));
      await set.waitHealthy(timeoutMs);
    },
    async leaderIndex() {
      return spec.leaderOf(await statuses());
    },
    /** Sends SIGKILL now; the promise settles when the process is gone. */
    kill(i) {
      return killHard(procs[i]);
    },
    restart(i) {
      startMember(i);
    },
    async waitHealthy(timeoutMs) {
      await pollUntil(`${spec.system}: three healthy members agreeing on a leader`, timeoutMs, async (note) => {
        procs.forEach((p, i) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) {
            throw new Error(`${spec.system} member ${i + 1} exited (${p.child.exitCode ?? p.child.signalCode}); log ${p.logFile}:\n${tail(p.logFile)}`);
          }
        });
        return spec.healthy(await statuses(), note);
      });
    },
    /** Healthy, and the same leader in the same term settleMs later; returns how often that was not so. */
    async waitStable(timeoutMs, settleMs) {
      const deadline = performance.now() + timeoutMs;
      for (let changes = 0; ; changes++) {
        await set.waitHealthy(Math.max(1000, deadline - performance.now()));
        const before = spec.leaderTerm(await statuses());
        await sleep(settleMs);
        const after = spec.leaderTerm(await statuses());
        if (before !== null && before === after) return changes;
        if (performance.now() > deadline) throw new Error(`${spec.system}: leader not stable within ${timeoutMs} ms (${before} -> ${after})`);
      }
    },
    async stop() {
      await Promise.all(procs.map((p) => killHard(p)));
    },
  };
  return set;
}
