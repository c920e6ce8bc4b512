import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, type Handler, type Routes } from '../../src/runtime/http.js';
import { HttpListener } from '../../src/runtime/http-listener.js';
import { ListenFailedError } from '../../src/errors.js';
import { memoryLogger } from '../support/memory-log.js';

const { log, records } = memoryLogger();
const routes: Routes = new Map<string, Partial<Record<string, Handler>>>([
  ['/ok', { GET: (_req, res) => sendJson(res, 200, { ok: true }) }],
  [
    '/boom',
    {
      GET: () => Promise.reject(new Error('handler bug')),
      POST: () => {
        throw new Error('sync bug');
      },
    },
  ],
]);
const listener = new HttpListener('test', { host: '127.0.0.1', port: 0 }, routes, log);

let base = '';
beforeAll(async () => {
  await listener.start();
  base = `http://127.0.0.1:${listener.boundAddress?.port}`;
});
afterAll(() => listener.stop(new AbortController().signal));

describe('HTTP listener', () => {
  it('routes by path, ignoring the query string', async () => {
    const res = await fetch(`${base}/ok?verbose=1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await fetch(`${base}/ok`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('an unknown path is a 404 in the common error shape', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'DINC_NOT_FOUND', message: 'no such endpoint: /nope' } });
  });

  it('a wrong method is a 405 that lists the allowed ones', async () => {
    const res = await fetch(`${base}/ok`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toEqual({ error: { code: 'DINC_METHOD_NOT_ALLOWED', message: 'DELETE is not allowed on /ok; use GET, HEAD' } });
  });

  it('a failing handler is a 500, logged, and the listener keeps serving', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${base}/boom`, { method });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'DINC_INTERNAL', message: 'internal error; see the agent log' } });
    }
    expect(records.filter((r) => r.msg === 'request handler failed')).toHaveLength(2);
    expect((await fetch(`${base}/ok`)).status).toBe(200);
  });

  it('garbage instead of HTTP is answered 400 and changes nothing', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/ok`, { method: 'GET', headers: { 'content-length': 'nonsense' } });
      req.on('response', (res) => resolve(res.statusCode ?? 0)).on('error', reject).end();
    });
    expect(status).toBe(400);
    expect((await fetch(`${base}/ok`)).status).toBe(200);
  });

  it('a second listener on the same address fails with DINC_LISTEN_FAILED', async () => {
    const twin = new HttpListener('twin', { host: '127.0.0.1', port: listener.boundAddress?.port ?? 0 }, new Map(), log);
    await expect(twin.start()).rejects.toThrow(ListenFailedError);
    await expect(twin.start()).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+ for twin: address already in use/);
  });
});
