// Promises: a three-member dinc-agent Raft group on 127.0.0.1, each member
// `node bin/dinc-agent raft --config <file>` from the repo root (fsync is
// always on), in a temp dir removed at exit; leader and health from
// GET /cluster; fsync count from each member's /metrics.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fetchJson, keepAliveAgent } from './http.mjs';
import { memberSet } from './members.mjs';
import { sumOverMembers } from './metrics.mjs';
import { freePorts, tempDir } from './procs.mjs';

export const DINC_FSYNC_METRIC = 'dinc_raft_wal_fsyncs_total';

const binOf = (root) => join(root, 'bin', 'dinc-agent');

/** null when the built agent is there, else what to do about it. */
export function dincMissing(root) {
  if (existsSync(join(root, 'lib', 'bin.js'))) return null;
  return `dinc-agent is not built (no lib/bin.js): run \`make build\` in ${root}, or run only etcd with --only etcd.`;
}

/** `dinc-agent --version`, e.g. "dinc-agent 0.1.0". */
export function dincVersion(root) {
  const r = spawnSync(process.execPath, [binOf(root), '--version'], { cwd: root, encoding: 'utf8' });
  return `dinc-agent ${r.status === 0 ? r.stdout.trim() : 'unknown'}`;
}

/** The election timing the members run with: the built schema's defaults, read in a child process. */
function dincTiming(root) {
  const url = pathToFileURL(join(root, 'lib', 'config', 'schema.js')).href;
  const code = `import { SCHEMA } from ${JSON.stringify(url)}; console.log(JSON.stringify([SCHEMA.raft.heartbeat_interval.default, SCHEMA.raft.election_timeout.default]));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 10_000 });
  try {
    const [h, e] = JSON.parse(r.stdout);
    if (typeof h === 'number' && typeof e === 'number') return `dinc-agent defaults: [raft] heartbeat_interval ${h} ms, election_timeout ${e} ms`;
  } catch {
    // fall through
  }
  return 'dinc-agent defaults: [raft] heartbeat_interval, election_timeout (not readable from lib/)';
}

const configText = ({ id, gossipPort, dataDir, raftPort, peers }) =>
  [
    '[cluster]',
    'name = bench',
    '[agent]',
    `id = ${id}`,
    'bind_address = 127.0.0.1',
    `port = ${gossipPort}`,
    'web = off',
    `data_dir = ${dataDir}`,
    'log_level = warn',
    '[raft]',
    `listen = 127.0.0.1:${raftPort}`,
    `peers = ${peers}`,
    '',
  ].join('\n');

export async function createDinc({ root, dataRoot, raftBase = 25001, gossipBase = 27950 }) {
  const dir = tempDir('dinc-bench-dinc-', dataRoot);
  const raftPorts = await freePorts(raftBase, 3);
  const gossipPorts = await freePorts(gossipBase, 3, { udp: true });
  const ids = ['node1', 'node2', 'node3'];
  const urls = raftPorts.map((p) => `http://127.0.0.1:${p}`);
  const peers = ids.map((id, i) => `${id}=127.0.0.1:${raftPorts[i]}`).join(', ');
  const configs = ids.map((id, i) => {
    const dataDir = join(dir, id);
    mkdirSync(dataDir, { recursive: true });
    const file = join(dir, `${id}.conf`);
    writeFileSync(file, configText({ id, gossipPort: gossipPorts[i], dataDir, raftPort: raftPorts[i], peers }));
    return file;
  });
  const agent = keepAliveAgent(3);

  const members = memberSet({
    system: 'dinc',
    urls,
    command: (i) => ({
      cmd: process.execPath,
      args: [binOf(root), 'raft', '--config', configs[i]],
      cwd: root,
      logFile: join(dir, `${ids[i]}.log`),
    }),
    probe: (i) => fetchJson(agent, `${urls[i]}/cluster`, { timeoutMs: 1000 }),
    leaderOf: (statuses) => {
      const i = statuses.findIndex((s) => s && s.is_leader === true);
      return i < 0 ? null : i;
    },
    healthy: (statuses, note) => {
      note(JSON.stringify(statuses.map((s) => s && { id: s.node_id, leader: s.current_leader, is_leader: s.is_leader, commit: s.commit_index, applied: s.applied_index })));
      if (statuses.some((s) => !s)) return false;
      const leaders = statuses.filter((s) => s.is_leader === true);
      if (leaders.length !== 1) return false;
      const leader = leaders[0];
      if (statuses.some((s) => s.current_leader !== leader.node_id)) return false;
      // The restarted member has caught up with what the leader had committed.
      return typeof leader.commit_index !== 'number' || statuses.every((s) => s.applied_index >= leader.commit_index);
    },
    leaderTerm: (statuses) => {
      const leader = statuses.find((s) => s && s.is_leader === true);
      return leader ? `${leader.node_id}@${leader.term}` : null;
    },
  });

  return {
    ...members,
    dir,
    timing: dincTiming(root),
    fsyncs: () => sumOverMembers(urls, DINC_FSYNC_METRIC),
    otherSyncs: async () => ({}),
    async stop() {
      await members.stop();
      agent.destroy();
    },
  };
}
