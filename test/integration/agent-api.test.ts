import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import { Agent } from '../../src/runtime/agent.js';
import { memoryLogger } from '../support/memory-log.js';
import { freePortBase } from '../support/ports.js';

const TOKEN = 'a-token-of-24-characters';
let agent: Agent;
let base = '';

beforeAll(async () => {
  const port = (await freePortBase(1)) + 1;
  const dir = mkdtempSync(join(tmpdir(), 'dinc-api-'));
  const config = buildConfig({
    hostname: 'n1',
    file: {
      path: 'api.conf',
      text: `[cluster]\nmulticast_group = off\n[agent]\nid = node007\nbind_address = 127.0.0.1\nport = ${port}\nweb = 127.0.0.1:0\ndata_dir = ${dir}\napi_token = ${TOKEN}\n`,
    },
  });
  agent = new Agent(config, { log: memoryLogger('warn').log, reloadConfig: () => Promise.resolve(config), monotonicMs: () => performance.now() });
  await agent.start();
  base = `http://127.0.0.1:${agent.webAddress?.port}`;
});
afterAll(() => agent.stop());

const post = (body: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }) =>
  fetch(`${base}/v1/join`, { method: 'POST', headers, body });

describe("the agent's membership API", () => {
  it('/v1/members lists the agent itself, alive and leader of its cluster of one', async () => {
    const body = (await (await fetch(`${base}/v1/members`)).json()) as { self: string; leader: string; members: { id: string; state: string; leader: boolean; self: boolean }[] };
    expect(body.self).toBe('node007');
    expect(body.leader).toBe('node007');
    expect(body.members).toEqual([expect.objectContaining({ id: 'node007', state: 'alive', leader: true, self: true })]);
  });

  it('/v1/leader says why there is a leader', async () => {
    expect(await (await fetch(`${base}/v1/leader`)).json()).toMatchObject({
      leader: 'node007',
      self_is_leader: true,
      quorum: { needed: 1, seen: 1, reached: true },
      reason: 'lowest ID among the members seen alive (no expected size set: this agent is its own quorum)',
    });
  });

  it('POST /v1/join needs the bearer token, compared exactly', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }];
    for (const headers of attempts) {
      const res = await post('{"addresses":["127.0.0.1:1"]}', { 'content-type': 'application/json', ...headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('DINC_UNAUTHORIZED');
    }
  });

  it.each([
    ['not json', 400, 'DINC_BAD_REQUEST'],
    ['{}', 400, 'DINC_BAD_REQUEST'],
    ['{"addresses":[]}', 400, 'DINC_BAD_REQUEST'],
    ['{"addresses":[7]}', 400, 'DINC_BAD_REQUEST'],
    ['{"addresses":["no such:host:1"]}', 400, 'DINC_BAD_REQUEST'],
    [`{"addresses":["${'x'.repeat(70_000)}"]}`, 413, 'DINC_BODY_TOO_LARGE'],
  ])('a bad body %# is answered %i %s and changes nothing', async (body, status, code) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(agent.membership.members()).toHaveLength(1);
  });

  it('a join whose address answers nothing is a 502 naming it', async () => {
    const dead = (await freePortBase(1)) + 1;
    const res = await post(`{"addresses":["127.0.0.1:${dead}"]}`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ joined: 0, failed: [`127.0.0.1:${dead}`] });
  });
});
