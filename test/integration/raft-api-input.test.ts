/**
 * The rules of the HTTP surface on a real agent (web and raft listeners):
 * the token guards the data plane of the Raft role too; keys that could not
 * be read back are refused at write; a malformed path is a 400, never a 500;
 * a permanent error is a 4xx without Retry-After; and every JSON endpoint
 * takes its body whatever Content-Type it declares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAgents } from '../support/agent-process.js';
import { LONE_TOKEN, startLoneAgent, type LoneAgent } from '../support/lone-agent.js';

let agent: LoneAgent;
beforeAll(async () => {
  agent = await startLoneAgent();
}, 60_000);
afterAll(killAgents);

const auth = { authorization: `Bearer ${LONE_TOKEN}` };

async function call(base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = auth): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), headers: res.headers };
}

describe('the token on the Raft data plane', () => {
  it('PUT and DELETE /v1/kv, POST /api/cache/set and DELETE /api/cache/delete need the token', async () => {
    const cases: [string, string, string?][] = [
      ['PUT', '/v1/kv/guarded', 'v'],
      ['DELETE', '/v1/kv/guarded'],
      ['POST', '/api/cache/set', JSON.stringify({ key: 'guarded', value: 1 })],
      ['DELETE', '/api/cache/delete?key=guarded'],
    ];
    for (const [method, path, body] of cases) {
      const answer = await call(agent.raft, method, path, body, {});
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.body).toMatchObject({ error: { code: 'DINC_UNAUTHORIZED' } });
    }
    expect((await call(agent.raft, 'GET', '/v1/kv/guarded', undefined, {})).status).toBe(404);
  });
});

describe('keys that could not be read back are refused at write', () => {
  it('a /api/cache/set key of invalid UTF-8 is a 400, as on PUT /v1/kv', async () => {
    const body = Buffer.concat([Buffer.from('{"key":"bad'), Buffer.from([0xff, 0xfe]), Buffer.from('","value":1}')]);
    const set = await call(agent.raft, 'POST', '/api/cache/set', body);
    expect(set.status).toBe(400);
    expect(set.body).toMatchObject({ success: false, error: { code: 'DINC_BAD_REQUEST' } });
    expect((await call(agent.raft, 'PUT', '/v1/kv/bad%FF%FE', 'v')).status).toBe(400);
    expect((await call(agent.raft, 'GET', '/api/cache/get?key=bad%FF%FE')).status).toBe(400);
  });

  it('a key holding a lone surrogate is a 400 on both APIs', async () => {
    const set = await call(agent.raft, 'POST', '/api/cache/set', '{"key":"\\ud800x","value":1}');
    expect(set.status).toBe(400);
    expect(set.body).toMatchObject({ success: false, error: { code: 'DINC_BAD_REQUEST' } });
    expect((await call(agent.raft, 'PUT', '/v1/kv/%ED%A0%80x', 'v')).status).toBe(400);
  });
});

describe('malformed paths and parameters', () => {
  it.each([
    ['DELETE', '/v1/raft/peers/%'],
    ['DELETE', '/v1/raft/peers/%E0%A4%A'],
    ['GET', '/v1/kv/%zz'],
    ['GET', '/api/cache/get?key=%'],
    ['GET', '/v1/raft/peers?stale=%'],
  ])('%s %s is a 400 DINC_BAD_REQUEST, not a 500', async (method, path) => {
    const answer = await call(agent.raft, method, path);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'DINC_BAD_REQUEST' } });
  });

  it('GET /v1/monitor?level=% is a 400', async () => {
    expect((await call(agent.web, 'GET', '/v1/monitor?level=%')).status).toBe(400);
  });
});

describe('permanent errors are not retryable', () => {
  it('raft transfer-leader to a member that does not exist is a 404 DINC_NO_SUCH_MEMBER without Retry-After', async () => {
    const answer = await call(agent.raft, 'POST', '/v1/raft/transfer-leader', JSON.stringify({ to: 'nobody' }));
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'DINC_NO_SUCH_MEMBER' } });
    expect(answer.headers.get('retry-after')).toBeNull();
  });

  it('a transfer with no other voter, and removing the last voter, are 409 DINC_REJECTED without Retry-After', async () => {
    for (const [method, path, body] of [
      ['POST', '/v1/raft/transfer-leader', '{}'],
      ['DELETE', '/v1/raft/peers/n1', undefined],
    ] as const) {
      const answer = await call(agent.raft, method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(409);
      expect(answer.body).toMatchObject({ error: { code: 'DINC_REJECTED' } });
      expect(answer.headers.get('retry-after')).toBeNull();
    }
  });
});

describe('one Content-Type policy for every JSON endpoint', () => {
  const TYPES = [undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded'];

  it.each(TYPES)('a JSON body declared as %s is taken by /v1/join, /api/cache/set and /v1/raft/transfer-leader', async (type) => {
    const headers = { ...auth, ...(type === undefined ? {} : { 'content-type': type }) };
    const join = await call(agent.web, 'POST', '/v1/join', JSON.stringify({ addresses: ['127.0.0.1:1'] }), headers);
    expect(join.status).not.toBe(415);
    expect(join.status).not.toBe(400);
    expect((await call(agent.raft, 'POST', '/api/cache/set', JSON.stringify({ key: 'typed', value: 1 }), headers)).status).toBe(200);
    expect((await call(agent.raft, 'POST', '/v1/raft/transfer-leader', JSON.stringify({ to: 'nobody' }), headers)).status).toBe(404);
  });

  it('a body that is not JSON is a 400 on every JSON endpoint', async () => {
    for (const [base, path] of [
      [agent.web, '/v1/join'],
      [agent.raft, '/api/cache/set'],
      [agent.raft, '/v1/raft/peers'],
    ] as const) {
      const answer = await call(base, 'POST', path, 'key=k&value=1', { ...auth, 'content-type': 'application/x-www-form-urlencoded' });
      expect(answer.status, path).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'DINC_BAD_REQUEST' } });
    }
  });
});

describe('/metrics', () => {
  it('shows the listeners\' refusals, client errors and aborted requests by listener', async () => {
    const text = await (await fetch(`${agent.web}/metrics`)).text();
    expect(text).toMatch(/^dinc_connections_refused_total\{listener="raft",reason="handshake-timeout"\} \d+$/m);
    expect(text).toMatch(/^dinc_connections_refused_total\{listener="web",reason="address-full"\} 0$/m);
    expect(text).toMatch(/^dinc_http_requests_aborted_total\{listener="raft"\} \d+$/m);
    expect(text).toMatch(/^dinc_http_client_errors_total\{listener="web",reason="request-timeout"\} \d+$/m);
  });
});
