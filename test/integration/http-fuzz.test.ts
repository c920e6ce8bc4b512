/**
 * A bounded HTTP fuzz of both listeners of a real agent (web and raft, the
 * raft role leading a group of one, with an api_token): a few thousand
 * hostile requests of random methods, %-garbage paths, invalid UTF-8, lone
 * surrogates, bad JSON, huge headers, oversized and truncated bodies, and
 * abandoned clients. The agent stays up, never answers 5xx, every error body
 * is the one JSON shape, and /health stays green throughout. The seed is
 * printed on failure and replays the same requests.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRng, type Rng } from '../../src/core/rng.js';
import { killAgents } from '../support/agent-process.js';
import { LONE_TOKEN, startLoneAgent, type LoneAgent } from '../support/lone-agent.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const PARALLEL = 24;

let agent: LoneAgent;
beforeAll(async () => {
  agent = await startLoneAgent();
}, 60_000);
afterAll(killAgents);

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'FOO', 'get'];
const PATHS = [
  '/v1/kv/', '/v1/kv/k', '/api/cache/set', '/api/cache/get', '/api/cache/delete', '/v1/raft/peers', '/v1/raft/peers/', '/v1/raft/transfer-leader',
  '/cluster', '/stats', '/metrics', '/health', '/v1/join', '/v1/status', '/v1/members', '/', '/ui/app.js', '/nope',
];
const GARBAGE = ['%', '%zz', '%FF%FE', '%ED%A0%80', '%C0%AF', '%00', '..%2F..%2F', '?key=%', '?key=%FF', '?cas=-1', '?consistency=%', '?stale=%E0', '//x:99999', '?key=' + 'k'.repeat(2000)];
const BODIES: (() => Buffer)[] = [
  () => Buffer.from('{"key":"k","value":1}'),
  () => Buffer.from('{"key":"\\ud800x","value":1}'),
  () => Buffer.concat([Buffer.from('{"key":"bad'), Buffer.from([0xff, 0xfe]), Buffer.from('","value":1}')]),
  () => Buffer.from('{"key": '),
  () => Buffer.from('[1,2,3]'),
  () => Buffer.from('null'),
  () => Buffer.from('{"to":"nobody"}'),
  () => Buffer.from('{"id":"x","address":"%%%"}'),
  // Addresses that are not host:port (one that is would make the agent try to join it).
  () => Buffer.from('{"addresses":["' + '%'.repeat(300) + '"]}'),
  () => Buffer.alloc(70_000, 0x61),
  () => Buffer.from([0xff, 0x00, 0xfe, 0x80]),
];

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng.next() * items.length)] as T;

interface Shot {
  readonly port: number;
  readonly bytes: Buffer;
  /** Close the sending side after this many bytes (a truncated request), or leave the connection open and go. */
  readonly cut?: number;
}

function shot(rng: Rng, ports: readonly number[]): Shot {
  const method = pick(rng, METHODS);
  let path = pick(rng, PATHS) + (rng.next() < 0.6 ? pick(rng, GARBAGE) : '');
  if (rng.next() < 0.05) path = '/' + 'x'.repeat(20_000);
  const body = rng.next() < 0.6 ? pick(rng, BODIES)() : Buffer.alloc(0);
  const headers = [`host: 127.0.0.1`, `connection: close`, `content-length: ${body.length}`];
  if (rng.next() < 0.5) headers.push(`authorization: Bearer ${rng.next() < 0.5 ? LONE_TOKEN : 'wrong'}`);
  if (rng.next() < 0.3) headers.push(`content-type: ${pick(rng, ['application/json', 'text/plain', 'multipart/form-data', '\u00ff/\u00fe'])}`);
  if (rng.next() < 0.05) headers.push(`x-huge: ${'h'.repeat(40_000)}`);
  if (rng.next() < 0.05) headers.push('x-dinc-client: c', `x-dinc-seq: ${pick(rng, ['0', '-1', '99999999999999999999', 'x'])}`);
  const bytes = Buffer.concat([Buffer.from(`${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
  const r = rng.next();
  return { port: pick(rng, ports), bytes, ...(r < 0.1 ? { cut: Math.floor(rng.next() * bytes.length) } : {}) };
}

/** Sends one request on its own connection; resolves with the raw answer (possibly empty). */
function fire(s: Shot): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(s.port, '127.0.0.1', () => {
      if (s.cut === undefined) socket.write(s.bytes);
      else socket.end(s.bytes.subarray(0, s.cut));
    });
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** The status and body of the first answer on a connection; undefined when nothing came back. */
function parse(raw: string): { status: number; body: string; json: boolean } | undefined {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(raw);
  if (!m) return undefined;
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
  return { status: Number(m[1]), body: raw.slice(split + 4, split + 4 + length), json: /content-type: application\/json/i.test(head) };
}

describe('HTTP fuzz of both listeners', () => {
  it(`${REQUESTS} hostile requests: no 5xx, errors in the one JSON shape, /health green throughout (seed ${SEED})`, async () => {
    const rng = seededRng(SEED);
    const ports = [agent.webPort, agent.raftPort];
    const failures: string[] = [];
    let healthChecks = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < REQUESTS) {
        const i = next++;
        const s = shot(rng, ports);
        const answer = parse(await fire(s));
        if (answer === undefined) continue;
        const request = `#${i} ${s.bytes.subarray(0, 120).toString('latin1').split('\r\n')[0]}`;
        if (answer.status >= 500) failures.push(`${request}: ${answer.status} ${answer.body.slice(0, 200)}`);
        if (answer.status >= 400 && answer.body !== '') {
          let shape = false;
          try {
            const body = JSON.parse(answer.body) as { error?: { code?: unknown; message?: unknown } };
            shape = answer.json && typeof body.error?.code === 'string' && typeof body.error.message === 'string';
          } catch {
            shape = false;
          }
          if (!shape) failures.push(`${request}: ${answer.status} not in the error shape: ${answer.body.slice(0, 200)}`);
        }
        if (i % 200 === 0) {
          healthChecks++;
          for (const base of [agent.web, agent.raft]) {
            const health = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5_000) });
            if (health.status !== 200) failures.push(`${request}: ${base}/health answered ${health.status}`);
          }
        }
      }
    };
    // A few clients that open connections and then say nothing, or half a request line.
    const idle = await Promise.all(ports.flatMap((port) => [0, 1, 2].map(() => new Promise<ReturnType<typeof connect>>((r) => {
      const s = connect(port, '127.0.0.1', () => r(s));
      s.on('error', () => undefined);
    }))));
    idle.forEach((s, i) => i % 2 === 0 && s.write('GET /v1/kv/k HT'));
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    for (const s of idle) s.destroy();

    expect(failures, `seed ${SEED} (FUZZ_SEED=${SEED} replays it)`).toEqual([]);
    expect(healthChecks).toBeGreaterThan(0);
    expect(agent.process.child.exitCode).toBeNull();
    for (const base of [agent.web, agent.raft]) expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${agent.raft}/v1/kv/k`)).status).toBeLessThan(500);
  }, 60_000);
});
