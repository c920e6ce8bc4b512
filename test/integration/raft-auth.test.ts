/**
 * Raft traffic authenticated with `[raft] token`: members sharing it form a
 * group and replicate; a member with another token is refused by the others
 * and never receives a write.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killAgents } from '../support/agent-process.js';
import { eventually } from '../support/eventually.js';
import { LoopbackGroup } from '../support/raft-loopback.js';

afterEach(killAgents);

describe('[raft] token', () => {
  it('members with the same token replicate; one with another token is shut out', async () => {
    const group = await LoopbackGroup.create(3, { extra: 'token = shared-secret-0123456789\n' });
    const n3 = group.member('n3');
    writeFileSync(n3.conf, readFileSync(n3.conf, 'utf8').replace('token = shared-secret-0123456789', 'token = another-secret-0123456789'));
    await group.start();
    const leader = await group.leader(['n1', 'n2']);
    expect((await group.http('n2', 'PUT', '/v1/kv/secret', 'kept')).status).toBe(200);
    expect((await group.http(leader, 'GET', '/v1/kv/secret')).body).toMatchObject({ value: 'kept' });
    await eventually(() => {
      const refused = group.member(leader).process?.records.some((r) => r.msg === 'refused a raft connection' && String(r.reason).startsWith('auth')) ?? false;
      const failed = n3.process?.records.some((r) => r.msg === 'raft peer failed authentication') ?? false;
      expect(refused || failed).toBe(true);
      return Promise.resolve();
    });
    const stale = await group.http('n3', 'GET', '/v1/kv/secret?consistency=stale');
    expect(stale.status).toBe(404);
  }, 60_000);
});
