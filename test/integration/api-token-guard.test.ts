/**
 * `[agent] api_token` guards the data plane: the router, on every listener,
 * asks the token of every request that changes state, whatever its route;
 * `api_token_reads` extends that to reads, except the probes. Both settings
 * are read per request, so a SIGHUP reload takes effect at once.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, type Handler, type Routes } from '../../src/runtime/http.js';
import type { ApiAuth } from '../../src/runtime/http-guard.js';
import { startListeners, type TestListener } from '../support/test-listeners.js';

const TOKEN = 'a-token-of-16-chars-or-more';
const settings = { token: TOKEN, reads: false };
const auth: ApiAuth = { token: () => settings.token, reads: () => settings.reads };

const ok: Handler = (req, res) => sendJson(res, 200, { ok: true, method: req.method });
// Routes that check nothing themselves, as a new role's would.
const routes: Routes = new Map<string, Partial<Record<string, Handler>>>([
  ['/v1/kv/*', { GET: ok, PUT: ok, DELETE: ok }],
  ['/api/cache/set', { POST: ok }],
  ['/api/cache/delete', { DELETE: ok }],
  ['/health', { GET: ok }],
  ['/ready', { GET: ok }],
  ['/metrics', { GET: ok }],
]);

let listeners: TestListener[] = [];
beforeAll(async () => {
  listeners = await startListeners(routes, { auth });
});
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.stop()));
});

/** A PUT through node:http, which sends the Host header given (fetch sets its own). */
function rawPut(port: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/v1/kv/k', headers: { ...headers, 'content-length': '2' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

const call = (l: TestListener, method: string, path: string, token?: string): Promise<Response> =>
  fetch(`${l.base}${path}`, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, ...(method === 'PUT' || method === 'POST' ? { body: '{}' } : {}) });

const WRITES: [string, string][] = [
  ['PUT', '/v1/kv/k'],
  ['DELETE', '/v1/kv/k'],
  ['POST', '/api/cache/set'],
  ['DELETE', '/api/cache/delete?key=k'],
];

describe.each(['web', 'raft'])('the %s listener with [agent] api_token set', (name) => {
  const listener = (): TestListener => listeners.find((l) => l.name === name) as TestListener;

  it('every state-changing request without the token is a 401, whatever the route', async () => {
    settings.reads = false;
    for (const [method, path] of WRITES) {
      for (const token of [undefined, 'wrong-token-of-enough-length']) {
        const res = await call(listener(), method, path, token);
        expect(res.status, `${method} ${path} token ${token}`).toBe(401);
        expect(await res.json()).toMatchObject({ error: { code: 'DINC_UNAUTHORIZED' } });
      }
    }
  });

  it('the 401 says how to pass a token: the header, the CLI flag and its environment variable', async () => {
    const body = (await (await call(listener(), 'PUT', '/v1/kv/k')).json()) as { error: { message: string } };
    expect(body.error.message).toContain('Authorization: Bearer');
    expect(body.error.message).toContain('--token');
    expect(body.error.message).toContain('DINC_API_TOKEN');
  });

  it('with the token, state-changing requests pass', async () => {
    for (const [method, path] of WRITES) expect((await call(listener(), method, path, TOKEN)).status, `${method} ${path}`).toBe(200);
  });

  it('reads stay open unless api_token_reads is set', async () => {
    settings.reads = false;
    expect((await call(listener(), 'GET', '/v1/kv/k')).status).toBe(200);
    expect((await call(listener(), 'GET', '/metrics')).status).toBe(200);
  });

  it('api_token_reads makes reads need the token too, but /health and /ready stay open for probes', async () => {
    settings.reads = true;
    try {
      expect((await call(listener(), 'GET', '/v1/kv/k')).status).toBe(401);
      expect((await call(listener(), 'HEAD', '/v1/kv/k')).status).toBe(401);
      expect((await call(listener(), 'GET', '/metrics')).status).toBe(401);
      expect((await call(listener(), 'GET', '/v1/kv/k', TOKEN)).status).toBe(200);
      expect((await call(listener(), 'GET', '/health')).status).toBe(200);
      expect((await call(listener(), 'GET', '/ready')).status).toBe(200);
    } finally {
      settings.reads = false;
    }
  });

  it('a changed token (SIGHUP) applies to the next request; without one everything is open', async () => {
    settings.token = 'another-token-0123456789';
    try {
      expect((await call(listener(), 'PUT', '/v1/kv/k', TOKEN)).status).toBe(401);
      expect((await call(listener(), 'PUT', '/v1/kv/k', 'another-token-0123456789')).status).toBe(200);
      settings.token = '';
      expect((await call(listener(), 'PUT', '/v1/kv/k')).status).toBe(200);
    } finally {
      settings.token = TOKEN;
    }
  });

  it('a browser page of another origin may not change state, token or not; its own origin may', async () => {
    const put = (origin: string, token?: string): Promise<Response> =>
      fetch(`${listener().base}/v1/kv/k`, { method: 'PUT', body: '{}', headers: { origin, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    settings.token = '';
    try {
      for (const origin of ['http://evil.example', 'null', `http://localhost:${listener().port}`]) {
        const res = await put(origin);
        expect(res.status, origin).toBe(403);
        expect(await res.json()).toMatchObject({ error: { code: 'DINC_CROSS_ORIGIN' } });
      }
      expect((await put(listener().base)).status).toBe(200);
      // DNS rebinding: a name pointed at 127.0.0.1 makes Origin and Host agree; a browser may write only by address.
      const rebound = await rawPut(listener().port, { origin: 'http://evil.example:1', host: 'evil.example:1' });
      expect(rebound.status).toBe(403);
      expect(rebound.body).toContain('by an IP address or localhost');
      expect((await fetch(`${listener().base}/v1/kv/k`, { headers: { origin: 'http://evil.example' } })).status).toBe(200);
    } finally {
      settings.token = TOKEN;
    }
    expect((await put('http://evil.example', TOKEN)).status).toBe(403);
  });
});
