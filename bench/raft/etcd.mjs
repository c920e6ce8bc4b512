// Promises: a three-member etcd 3.4 cluster on 127.0.0.1 (fsync on, the
// defaults otherwise) in a temp dir that is removed at exit; leader and health
// from POST /v3/maintenance/status; fsync count from each member's /metrics.
// Never downloads anything: without `etcd` on PATH it says how to install it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fetchJson, keepAliveAgent } from './http.mjs';
import { memberSet } from './members.mjs';
import { sumOverMembers } from './metrics.mjs';
import { freePorts, tempDir } from './procs.mjs';

export const ETCD_FSYNC_METRIC = 'etcd_disk_wal_fsync_duration_seconds_count';
/** bbolt commits (each one an fsync of the backend file); reported beside the WAL fsyncs. */
export const ETCD_BACKEND_COMMIT_METRIC = 'etcd_disk_backend_commit_duration_seconds_count';

/** null when `etcd` can be run, else what to do about it. */
export function etcdMissing() {
  const r = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return 'etcd is not installed (no `etcd` on PATH). Install Debian\'s etcd 3.4 with:\n  apt-get install etcd-server etcd-client\nor run only dinc-agent with --only dinc.';
}

/** `etcd --version` as one line, e.g. "etcd 3.4.23 (go1.19.8)". */
export function etcdVersion() {
  const out = spawnSync('etcd', ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const version = /etcd Version:\s*(\S+)/.exec(out)?.[1] ?? 'unknown';
  const go = /Go Version:\s*(\S+)/.exec(out)?.[1];
  return `etcd ${version}${go ? ` (${go})` : ''}`;
}

export async function createEtcd({ dataRoot, basePort = 23790 }) {
  const dir = tempDir('dinc-bench-etcd-', dataRoot);
  const ports = await freePorts(basePort, 6);
  const names = ['e1', 'e2', 'e3'];
  const urls = ports.slice(0, 3).map((p) => `http://127.0.0.1:${p}`);
  const peers = ports.slice(3).map((p) => `http://127.0.0.1:${p}`);
  const initialCluster = names.map((n, i) => `${n}=${peers[i]}`).join(',');
  const agent = keepAliveAgent(3);

  const members = memberSet({
    system: 'etcd',
    urls,
    command: (i) => ({
      cmd: 'etcd',
      args: [
        '--name', names[i], '--data-dir', join(dir, names[i]),
        '--listen-client-urls', urls[i], '--advertise-client-urls', urls[i],
        '--listen-peer-urls', peers[i], '--initial-advertise-peer-urls', peers[i],
        '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'bench',
      ],
      cwd: dir,
      logFile: join(dir, `${names[i]}.log`),
    }),
    // member_id and leader are uint64 in decimal strings: compare them as strings.
    probe: (i) =>
      fetchJson(agent, `${urls[i]}/v3/maintenance/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        timeoutMs: 1000,
      }),
    leaderOf: (statuses) => {
      const i = statuses.findIndex((s) => s && s.leader && s.leader !== '0' && s.leader === s.header?.member_id);
      return i < 0 ? null : i;
    },
    healthy: (statuses, note) => {
      note(JSON.stringify(statuses.map((s) => s && { id: s.header?.member_id, leader: s.leader, index: s.raftIndex, applied: s.raftAppliedIndex })));
      if (statuses.some((s) => !s)) return false;
      const leader = statuses.find((s) => s.leader === s.header?.member_id);
      if (!leader || statuses.some((s) => s.leader !== leader.leader)) return false;
      return statuses.every((s) => Number(s.raftAppliedIndex) >= Number(leader.raftIndex));
    },
    leaderTerm: (statuses) => {
      const leader = statuses.find((s) => s && s.leader && s.leader === s.header?.member_id);
      return leader ? `${leader.leader}@${leader.raftTerm}` : null;
    },
  });

  return {
    ...members,
    dir,
    timing: 'etcd defaults: --heartbeat-interval 100 ms, --election-timeout 1000 ms',
    fsyncs: () => sumOverMembers(urls, ETCD_FSYNC_METRIC),
    /** Other disk syncs per put, reported beside fsyncs: bbolt backend commits. */
    otherSyncs: async () => ({ backendCommits: await sumOverMembers(urls, ETCD_BACKEND_COMMIT_METRIC) }),
    async stop() {
      await members.stop();
      agent.destroy();
    },
  };
}
