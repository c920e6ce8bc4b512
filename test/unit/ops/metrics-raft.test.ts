import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../src/ops/metrics.js';
import { RAFT_FAMILIES } from '../../../src/ops/metrics-raft-families.js';
import type { RaftRoleStatus, StatusSnapshot } from '../../../src/ops/snapshot.js';
import { hasTool } from '../../support/prerequisite.js';

const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')) as T;
const base = read<StatusSnapshot>('status-snapshot.json');
const slot = read<RaftRoleStatus>('raft-slot.json');

const BRIEFED = [
  'dinc_raft_term',
  'dinc_raft_is_leader',
  'dinc_raft_commit_index',
  'dinc_raft_applied_index',
  'dinc_raft_last_index',
  'dinc_raft_snapshot_index',
  'dinc_raft_keys',
  'dinc_raft_members',
  'dinc_raft_max_lag_entries',
  'dinc_raft_proposals_total',
  'dinc_raft_linearizable_reads_total',
  'dinc_raft_stale_reads_total',
  'dinc_raft_forwarded_total',
  'dinc_raft_snapshots_taken_total',
  'dinc_raft_snapshots_installed_total',
  'dinc_raft_wal_saves_total',
  'dinc_raft_wal_fsyncs_total',
  'dinc_raft_messages_sent_total',
  'dinc_raft_messages_received_total',
  'dinc_raft_messages_refused_total',
  'dinc_raft_storage_failed',
  'dinc_raft_storage_retrying',
  'dinc_raft_storage_retries_total',
];

/** A scrape of an AgentMetrics fed `raft` as the snapshot's raft slot (none when undefined). */
async function scrape(raft?: unknown): Promise<string> {
  const snapshot: StatusSnapshot = { ...base, roles: raft === undefined ? base.roles : { ...base.roles, raft } };
  return new AgentMetrics(() => ({ snapshot, streamDrops: { status: 0, monitor: 0 } })).scrape();
}

/** `name{labels} value` sample lines of the raft families, as "name{labels}" -> value. */
function raftSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(dinc_raft_\w+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

describe('the raft metric families', () => {
  it('are the families asked for, counters ending in _total, without a label but voter', () => {
    expect(RAFT_FAMILIES.map((f) => f.name).sort()).toEqual([...BRIEFED].sort());
    for (const f of RAFT_FAMILIES) expect(f.name.endsWith('_total'), f.name).toBe(f.type === 'counter');
    expect(RAFT_FAMILIES.flatMap((f) => f.labels)).toEqual(['voter']);
  });

  it("read the leader's slot: term, indexes, keys, members by voter, the largest lag, the counters", async () => {
    const text = await scrape(slot);
    expect(Object.fromEntries(raftSamples(text))).toEqual({
      dinc_raft_term: 7,
      dinc_raft_is_leader: 1,
      dinc_raft_commit_index: 48213,
      dinc_raft_applied_index: 48213,
      dinc_raft_last_index: 48215,
      dinc_raft_snapshot_index: 40960,
      dinc_raft_keys: 1234,
      'dinc_raft_members{voter="true"}': 3,
      'dinc_raft_members{voter="false"}': 2,
      dinc_raft_max_lag_entries: 3113,
      dinc_raft_proposals_total: 48190,
      dinc_raft_linearizable_reads_total: 5120,
      dinc_raft_stale_reads_total: 880,
      dinc_raft_forwarded_total: 312,
      dinc_raft_snapshots_taken_total: 4,
      dinc_raft_snapshots_installed_total: 1,
      dinc_raft_wal_saves_total: 47001,
      dinc_raft_wal_fsyncs_total: 46988,
      dinc_raft_messages_sent_total: 301220,
      dinc_raft_messages_received_total: 299874,
      dinc_raft_messages_refused_total: 2,
      dinc_raft_storage_failed: 0,
      dinc_raft_storage_retrying: 0,
      dinc_raft_storage_retries_total: 0,
    });
    expect(text).toContain('# TYPE dinc_raft_proposals_total counter');
    expect(text).toContain('# TYPE dinc_raft_max_lag_entries gauge');
  });

  it('count no lag and no leadership on a member that does not lead, and a failed disk', async () => {
    const follower = raftSamples(await scrape({ ...slot, state: 'follower', leader: 'node002' }));
    expect(follower.get('dinc_raft_is_leader')).toBe(0);
    expect(follower.get('dinc_raft_max_lag_entries')).toBe(0);
    const failed = raftSamples(await scrape({ ...slot, state: 'failed', storage_failure: 'EIO: i/o error, fsync' }));
    expect(failed.get('dinc_raft_storage_failed')).toBe(1);
    expect(failed.get('dinc_raft_max_lag_entries')).toBe(0);
  });

  it('count a write waiting on a transient disk error and its retries; a slot from an agent without them reads as none', async () => {
    const retrying = raftSamples(await scrape({ ...slot, storage_retrying: 'retrying after ENOSPC (3 attempts, next in 400 ms)', counters: { ...slot.counters, storage_retries: 3 } }));
    expect(retrying.get('dinc_raft_storage_retrying')).toBe(1);
    expect(retrying.get('dinc_raft_storage_retries_total')).toBe(3);
    expect(retrying.get('dinc_raft_storage_failed')).toBe(0);
    const { storage_retrying: _gone, ...older } = { ...slot, storage_retrying: null };
    const old = raftSamples(await scrape(older));
    expect(old.get('dinc_raft_storage_retrying')).toBe(0);
    expect(old.get('dinc_raft_storage_retries_total')).toBe(0);
  });

  it('have no sample without a raft slot, or with one this version cannot read, while the other families keep theirs', async () => {
    for (const raft of [undefined, { ...slot, term: 'seven' }, null]) {
      const text = await scrape(raft);
      expect([...raftSamples(text).keys()]).toEqual([]);
      expect(text).toMatch(/^dinc_is_leader 1$/m);
      expect(text).toMatch(/^dinc_uptime_seconds \S+$/m);
    }
  });

  it('never name a member in a label', async () => {
    const raftLines = (await scrape(slot)).split('\n').filter((line) => line.startsWith('dinc_raft_'));
    expect(raftLines.length).toBeGreaterThan(20);
    for (const m of slot.members) for (const line of raftLines) expect(line).not.toContain(m.id);
  });

  it.runIf(hasTool('promtool', 'apt-get install prometheus'))('pass promtool check metrics with no lint, with and without a raft slot', async () => {
    for (const raft of [slot, undefined]) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: await scrape(raft), encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`).toBe('');
      expect(check.status).toBe(0);
    }
  });
});
