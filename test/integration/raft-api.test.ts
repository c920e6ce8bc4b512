/**
 * The Raft role's HTTP API on a real three-member group: seed 002's cache
 * endpoints and the native /v1/kv, forwarding from followers, compare-and-set,
 * the answers to bad input, and no leader: a 503 with Retry-After, not a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAgents } from '../support/agent-process.js';
import { eventually } from '../support/eventually.js';
import { LoopbackGroup } from '../support/raft-loopback.js';

let group: LoopbackGroup;
let leader: string;
let follower: string;

beforeAll(async () => {
  group = await LoopbackGroup.create(3);
  await group.start();
  leader = await group.leader();
  follower = group.members.map((m) => m.id).find((id) => id !== leader) as string;
}, 60_000);
afterAll(killAgents);

const json = (body: unknown): string => JSON.stringify(body);

describe('seed 002 cache API', () => {
  it('set, get and delete with success and revision; a missing key is a 404 with success false', async () => {
    const set = await group.http(follower, 'POST', '/api/cache/set', json({ key: 'mykey', value: { data: 'myvalue' } }));
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ success: true, key: 'mykey' });
    const revision = set.body.revision as number;
    expect(revision).toBeGreaterThan(0);
    for (const id of group.members.map((m) => m.id)) {
      const got = await group.http(id, 'GET', '/api/cache/get?key=mykey');
      expect(got.body).toEqual({ success: true, key: 'mykey', value: { data: 'myvalue' }, revision });
    }
    const deleted = await group.http(leader, 'DELETE', '/api/cache/delete?key=mykey');
    expect(deleted.body).toMatchObject({ success: true, key: 'mykey' });
    const missing = await group.http(follower, 'GET', '/api/cache/get?key=mykey');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ success: false, error: { code: 'DINC_KEY_NOT_FOUND' } });
  });

  it('bad requests are 400 with success false', async () => {
    const cases: [string, string, string?][] = [
      ['POST', '/api/cache/set', '{"key": '],
      ['POST', '/api/cache/set', json({ key: 'k' })],
      ['POST', '/api/cache/set', json({ key: 'k', value: 1, ttl: 3 })],
      ['POST', '/api/cache/set', json({ key: '', value: 1 })],
      ['POST', '/api/cache/set', json({ key: '_dinc/raft/address/n9', value: 'x' })],
      ['GET', '/api/cache/get'],
      ['GET', '/api/cache/get?key=k&consistency=eventual'],
    ];
    for (const [method, path, body] of cases) {
      const answer = await group.http(follower, method, path, body);
      expect(answer.status, `${method} ${path} ${body ?? ''}`).toBe(400);
      expect(answer.body).toMatchObject({ success: false, error: { code: 'DINC_BAD_REQUEST' } });
    }
  });
});

describe('native /v1/kv API', () => {
  it('put through a follower, read everywhere, compare-and-set on the revision, delete', async () => {
    const put = await group.http(follower, 'PUT', '/v1/kv/config%2Fdb', 'postgres://x');
    expect(put.status).toBe(200);
    const revision = put.body.revision as number;
    const got = await group.http(leader, 'GET', '/v1/kv/config%2Fdb');
    expect(got.body).toEqual({ key: 'config/db', value: 'postgres://x', revision });
    // A stale read answers from the member's own copy: it sees the write once the member has applied it.
    await eventually(async () => expect((await group.http(follower, 'GET', '/v1/kv/config%2Fdb?consistency=stale')).status).toBe(200));

    const stale = await group.http(follower, 'PUT', `/v1/kv/config%2Fdb?cas=${revision - 1}`, 'lost');
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: { code: 'DINC_CAS_FAILED', revision } });
    const swapped = await group.http(follower, 'PUT', `/v1/kv/config%2Fdb?cas=${revision}`, 'won');
    expect(swapped.status).toBe(200);
    expect(await group.http(leader, 'PUT', '/v1/kv/config%2Fdb?cas=0', 'create only')).toMatchObject({ status: 409 });
    expect((await group.http(follower, 'PUT', '/v1/kv/fresh?cas=0', 'created')).status).toBe(200);

    expect((await group.http(follower, 'DELETE', '/v1/kv/config%2Fdb')).status).toBe(200);
    expect((await group.http(follower, 'GET', '/v1/kv/config%2Fdb')).body).toMatchObject({ error: { code: 'DINC_KEY_NOT_FOUND' } });
    expect((await group.http(follower, 'DELETE', '/v1/kv/config%2Fdb')).status).toBe(404);
  });

  it('bad input: clear errors, and nothing is written', async () => {
    const cases: [string, string, string | undefined, number][] = [
      ['PUT', `/v1/kv/${'k'.repeat(1025)}`, 'v', 400],
      ['PUT', '/v1/kv/', 'v', 400],
      ['PUT', '/v1/kv/%E0%A4%A', 'v', 400],
      ['PUT', '/v1/kv/k?cas=-1', 'v', 400],
      ['PUT', '/v1/kv/k?cas=abc', 'v', 400],
      ['PUT', '/v1/kv/k?ttl=5', 'v', 400],
      ['GET', '/v1/kv/k?consistency=eventual', undefined, 400],
      ['PUT', '/v1/kv/_dinc/raft/address/n1', '1.2.3.4:5', 400],
      ['PUT', '/v1/kv/big', 'x'.repeat(512 * 1024 + 1), 413],
      ['POST', '/v1/kv/k', 'v', 405],
      ['GET', '/v1/nothing', undefined, 404],
    ];
    for (const [method, path, body, status] of cases) {
      const answer = await group.http(follower, method, path, body);
      expect(answer.status, `${method} ${path.slice(0, 40)}`).toBe(status);
      expect(answer.body.error, `${method} ${path.slice(0, 40)}`).toMatchObject({ code: expect.stringMatching(/^DINC_/) as unknown });
    }
    const invalidUtf8 = await fetch(`http://127.0.0.1:${group.member(follower).raftPort}/v1/kv/bin`, { method: 'PUT', body: new Uint8Array([0xff, 0xfe]) });
    expect(invalidUtf8.status).toBe(400);
    expect((await group.http(leader, 'GET', '/v1/kv/bin')).status).toBe(404);
    expect((await group.http(leader, 'GET', '/v1/kv/big')).status).toBe(404);
    expect((await group.http(leader, 'PUT', '/v1/kv/max', 'x'.repeat(512 * 1024))).status).toBe(200);
  });
});

describe('client sessions', () => {
  it('a write resent with the same x-dinc-seq is answered as the first time and not applied again', async () => {
    const put = async (seq: string, value: string, via = follower) => {
      const res = await fetch(`http://127.0.0.1:${group.member(via).raftPort}/v1/kv/session-key`, { method: 'PUT', body: value, headers: { 'x-dinc-client': 'client-7', 'x-dinc-seq': seq } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const first = await put('1', 'one');
    expect(first.status).toBe(200);
    expect(await put('1', 'one', leader)).toEqual(first);
    expect((await group.http(leader, 'GET', '/v1/kv/session-key')).body).toMatchObject({ value: 'one', revision: first.body.revision });
    const second = await put('2', 'two');
    expect(second.body.revision).toBeGreaterThan(first.body.revision as number);
    expect(await put('1', 'late')).toMatchObject({ status: 409, body: { error: { code: 'DINC_STALE_SEQUENCE' } } });
    expect((await group.http(leader, 'GET', '/v1/kv/session-key')).body).toMatchObject({ value: 'two' });
    const bad: Record<string, string>[] = [{ 'x-dinc-client': 'c' }, { 'x-dinc-seq': '1' }, { 'x-dinc-client': 'c', 'x-dinc-seq': '0' }, { 'x-dinc-client': 'c', 'x-dinc-seq': 'x' }];
    for (const headers of bad) {
      const res = await fetch(`http://127.0.0.1:${group.member(leader).raftPort}/v1/kv/session-key`, { method: 'PUT', body: 'v', headers });
      expect(res.status, JSON.stringify(headers)).toBe(400);
    }
  });
});

describe('/health, /cluster, /stats, /metrics', () => {
  it("answer with the seed's fields, term and indexes", async () => {
    const cluster = await group.http(follower, 'GET', '/cluster');
    expect(cluster.body).toMatchObject({ node_id: follower, cluster_nodes: ['n1', 'n2', 'n3'], alive_nodes: ['n1', 'n2', 'n3'], failed_nodes: [], current_leader: leader, is_leader: false });
    expect(cluster.body.term).toBeGreaterThan(0);
    expect(cluster.body.commit_index).toBeGreaterThan(0);
    expect((await group.http(leader, 'GET', '/health')).body).toMatchObject({ status: 'healthy', node_id: leader, state: 'leader', leader });
    const stats = await group.http(leader, 'GET', '/stats');
    expect(stats.body).toMatchObject({ node_id: leader, state: 'leader' });
    expect((stats.body.members as { lag: number }[]).map((m) => m.lag)).toHaveLength(3);
    const metrics = await fetch(`http://127.0.0.1:${group.member(leader).raftPort}/metrics`);
    expect(await metrics.text()).toContain('dinc_agent_info');
  });
});

describe('without a leader', () => {
  it('writes and linearizable reads get 503 DINC_NO_LEADER with Retry-After; stale reads still work', async () => {
    expect((await group.http(leader, 'PUT', '/v1/kv/before', 'x')).status).toBe(200);
    const survivor = leader;
    await Promise.all(group.members.filter((m) => m.id !== survivor).map((m) => group.kill(m.id)));
    const write = await eventually(async () => {
      const answer = await group.http(survivor, 'PUT', '/v1/kv/after', 'y');
      expect(answer.status).toBe(503);
      return answer;
    }, 30_000);
    expect(write.body).toMatchObject({ error: { code: 'DINC_NO_LEADER' } });
    expect(write.headers.get('retry-after')).toBe('1');
    expect((await group.http(survivor, 'GET', '/v1/kv/before')).body).toMatchObject({ error: { code: 'DINC_NO_LEADER' } });
    expect((await group.http(survivor, 'GET', '/v1/kv/before?consistency=stale')).body).toMatchObject({ value: 'x' });
    expect((await group.http(survivor, 'GET', '/cluster')).body).toMatchObject({ current_leader: null, is_leader: false });
    await eventually(async () => expect((await group.http(survivor, 'GET', '/cluster')).body).toMatchObject({ alive_nodes: [survivor] }), 30_000);
  }, 60_000);
});
