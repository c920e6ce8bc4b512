// Promises: one HTTP/1.1 request over a caller-given keep-alive Agent, read to
// the end as text, bounded by a timeout. Resolves { status, headers, body } for
// any status; rejects only on a network error or the timeout. Nothing else.
import { Agent, request as httpRequest } from 'node:http';

/** A keep-alive agent holding up to `sockets` connections per member. */
export function keepAliveAgent(sockets) {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'fifo' });
}

/**
 * @param {import('node:http').Agent | undefined} agent
 * @param {string} url  full URL, e.g. http://127.0.0.1:23790/v3/kv/put
 * @param {{ method?: string, headers?: Record<string, string>, body?: string | Buffer, timeoutMs?: number }} [opts]
 * @returns {Promise<{ status: number, headers: import('node:http').IncomingHttpHeaders, body: string }>}
 */
export function request(agent, url, opts = {}) {
  const { method = 'GET', headers = {}, body, timeoutMs = 10_000 } = opts;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.setEncoding('utf8');
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.join('') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Request url (GET unless opts.method) and parse JSON; null on any failure (network, status, parse). */
export async function fetchJson(agent, url, opts = {}) {
  try {
    const r = await request(agent, url, { timeoutMs: 2000, ...opts });
    return r.status >= 200 && r.status < 300 ? JSON.parse(r.body) : null;
  } catch {
    return null;
  }
}
