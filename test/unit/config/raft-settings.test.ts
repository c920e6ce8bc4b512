import { describe, expect, it } from 'vitest';
import { raftTiming } from '../../../src/roles/raft/settings.js';
import { buildFromText, problemsOf } from '../../support/config-build.js';

const build = (text: string) => buildFromText(text, { hostname: 'node1' });
const problems = (text: string) => problemsOf(text, { hostname: 'node1' });

describe('[raft] settings', () => {
  it("defaults: seed 002's port and timing, a lone agent forms a group of one", () => {
    const { raft } = build('');
    expect(raft).toMatchObject({ listen: { host: '0.0.0.0', port: 5001 }, data_dir: '', peers: [], bootstrap_expect: 1, election_timeout: 150, heartbeat_interval: 50, snapshot_threshold: 8192, token: '' });
  });

  it('peers parse into ids and addresses', () => {
    const { raft } = build('[raft]\npeers = node1=10.0.0.1:5001, node2 = [::1]:5002,node3=db3.example.com:5003\n');
    expect(raft.peers).toEqual([
      { id: 'node1', host: '10.0.0.1', port: 5001 },
      { id: 'node2', host: '::1', port: 5002 },
      { id: 'node3', host: 'db3.example.com', port: 5003 },
    ]);
  });

  it('bad peers, timing and listeners are reported with line and what is valid', () => {
    expect(problems('[raft]\npeers = node1\n')).toEqual(["cluster.conf:2: [raft] peers = node1: 'node1' is not id=host:port, such as node1=10.0.0.1:5001"]);
    expect(problems('[raft]\npeers = node1=10.0.0.1\n')[0]).toMatch(/^cluster.conf:2: \[raft\] peers = node1=10.0.0.1: node1: must be host:port/);
    expect(problems('[raft]\npeers = node1=a:1, node1=b:2\n')[0]).toContain("lists 'node1' twice");
    expect(problems('[raft]\npeers = -x=a:1\n')[0]).toContain("'-x' is not a node ID");
    expect(problems('[raft]\npeers = node2=10.0.0.2:5001, node3=10.0.0.3:5001\n')).toEqual(['cluster.conf:2: [raft] peers: must list this agent (node1) with its own address']);
    expect(problems('[raft]\nheartbeat_interval = 200ms\n')).toEqual(['cluster.conf:2: [raft] heartbeat_interval = 200ms: must be less than election_timeout (150ms)']);
    expect(problems('[raft]\nelection_timeout = 5ms\nbootstrap_expect = 10\nsnapshot_threshold = 1\ntoken = short\n')).toHaveLength(4);
    expect(problems('[agent]\nroles = raft\nweb = 0.0.0.0:5001\n')[0]).toContain("[raft] listen = 0.0.0.0:5001: its TCP port is also [agent] web's");
  });

  it('two peers at one address are flagged, whatever the case of the host name', () => {
    expect(problems('[raft]\npeers = node1=10.0.0.1:5001, node2=10.0.0.1:5001\n')).toEqual([
      "cluster.conf:2: [raft] peers = node1=10.0.0.1:5001, node2=10.0.0.1:5001: 'node1' and 'node2' have the same address 10.0.0.1:5001: each member needs its own",
    ]);
    expect(problems('[raft]\npeers = node1=db1.example.com:5001, node2=DB1.example.com:5001\n')[0]).toContain("'node1' and 'node2' have the same address");
    expect(problems('[raft]\npeers = node1=10.0.0.1:5001, node2=10.0.0.1:5002\n')).toEqual([]);
  });

  it('a duration in a message is echoed as written (1s stays 1s), and a default as the docs write it', () => {
    expect(problems('[raft]\nelection_timeout = 1s\nheartbeat_interval = 1s\n')).toEqual(['cluster.conf:3: [raft] heartbeat_interval = 1s: must be less than election_timeout (1s)']);
    expect(problems('[raft]\nheartbeat_interval = 0.2s\n')).toEqual(['cluster.conf:2: [raft] heartbeat_interval = 0.2s: must be less than election_timeout (150ms)']);
  });

  it('time in ticks: 10 ms ticks, heartbeat and election timeout in whole ticks', () => {
    expect(raftTiming(build('')).raft).toMatchObject({ id: 'node1', heartbeatTicks: 5, electionTicks: 15, catchUpEntries: 4096 });
    expect(raftTiming(build('[raft]\nsnapshot_threshold = 100000\n')).raft.catchUpEntries).toBe(5000);
    expect(raftTiming(build('')).tickMs).toBe(10);
    const fast = raftTiming(build('[raft]\nheartbeat_interval = 5ms\nelection_timeout = 20ms\n'));
    expect(fast).toMatchObject({ tickMs: 5, raft: { heartbeatTicks: 1, electionTicks: 4 } });
  });
});
