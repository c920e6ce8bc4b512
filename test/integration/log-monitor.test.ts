import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import type { Logger } from '../../src/ops/log.js';
import { Agent } from '../../src/runtime/agent.js';
import { memoryLogger, type LogRecord } from '../support/memory-log.js';
import { freePortBase } from '../support/ports.js';

const TOKEN = 'a-token-of-24-characters';
const auth = { authorization: `Bearer ${TOKEN}` };

interface Running {
  readonly agent: Agent;
  readonly log: Logger;
  /** What the agent itself wrote to its log (level info). */
  readonly records: LogRecord[];
  readonly web: string;
}

async function startAgent(token: string): Promise<Running> {
  const port = (await freePortBase(1)) + 1;
  const dir = mkdtempSync(join(tmpdir(), 'dinc-monitor-'));
  const config = buildConfig({
    hostname: 'n1',
    file: {
      path: 'monitor.conf',
      text: `[cluster]\nmulticast_group = off\n[agent]\nid = node001\nbind_address = 127.0.0.1\nport = ${port}\nweb = 127.0.0.1:0\ndata_dir = ${dir}\napi_token = ${token}\n`,
    },
  });
  const { log, records } = memoryLogger('info');
  const agent = new Agent(config, { log, reloadConfig: () => Promise.resolve(config), monotonicMs: () => performance.now() });
  await agent.start();
  return { agent, log, records, web: `127.0.0.1:${agent.webAddress?.port}` };
}

/** Reads NDJSON records from a streaming response until `until` holds for one; returns them all. */
async function readUntil(res: Response, until: (r: LogRecord) => boolean): Promise<LogRecord[]> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const seen: LogRecord[] = [];
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended before the awaited record; saw ${JSON.stringify(seen)}`);
    const lines = (rest + decoder.decode(value, { stream: true })).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) seen.push(JSON.parse(line) as LogRecord);
    if (seen.some(until)) {
      await reader.cancel();
      return seen;
    }
  }
}

async function droppedMonitors(web: string): Promise<number> {
  const text = await (await fetch(`http://${web}/metrics`)).text();
  return Number(/^dinc_stream_clients_dropped_total\{stream="monitor"\} (\d+)$/m.exec(text)?.[1]);
}

let main: Running;
beforeAll(async () => {
  main = await startAgent(TOKEN);
});
afterAll(() => main.agent.stop());

describe('GET /v1/monitor', () => {
  it("streams debug records as NDJSON while the agent's own level is info", async () => {
    const res = await fetch(`http://${main.web}/v1/monitor?level=debug`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson\b/);
    const dead = (await freePortBase(1)) + 1;
    // A join whose address answers nothing: the membership logs the failed push-pull at debug.
    void main.agent.membership.join([{ host: '127.0.0.1', port: dead }]);
    const seen = await readUntil(res, (r) => r.msg === 'push-pull failed');
    const record = seen.find((r) => r.msg === 'push-pull failed');
    expect(record).toMatchObject({ level: 'debug', part: 'membership', to: `127.0.0.1:${dead}` });
    expect(Number.isNaN(Date.parse(String(record?.time)))).toBe(false);
    expect(main.records.some((r) => r.msg === 'push-pull failed')).toBe(false);
  });

  it('shows info and above by default', async () => {
    const res = await fetch(`http://${main.web}/v1/monitor`, { headers: auth });
    const log = main.log.child({ part: 'test' });
    log.debug('a detail the default level leaves out');
    log.info('a line the default level shows');
    const seen = await readUntil(res, (r) => r.msg === 'a line the default level shows');
    expect(seen.map((r) => r.level)).not.toContain('debug');
  });

  it.each([['verbose'], ['DEBUG'], ['']])('level=%j is a 400 in the common error shape', async (level) => {
    const res = await fetch(`http://${main.web}/v1/monitor?level=${level}`, { headers: auth });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('DINC_BAD_REQUEST');
    expect(error.message).toContain('must be debug, info, warn or error');
  });

  it('needs the bearer token when [agent] api_token is set', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }];
    for (const headers of attempts) {
      const res = await fetch(`http://${main.web}/v1/monitor?level=debug`, { headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('DINC_UNAUTHORIZED');
    }
  });

  it('drops a client that stops reading once 1 MiB waits for it, and counts it', async () => {
    const [host, port] = main.web.split(':') as [string, string];
    const socket = connect(Number(port), host);
    const closed = once(socket, 'close');
    await once(socket, 'connect');
    socket.write(`GET /v1/monitor?level=debug HTTP/1.1\r\nhost: ${main.web}\r\nauthorization: Bearer ${TOKEN}\r\n\r\n`);
    await once(socket, 'data');
    socket.pause();
    const log = main.log.child({ part: 'test' });
    const padding = 'x'.repeat(64 * 1024);
    const dropped = (): boolean => main.records.some((r) => r.msg === 'dropping a log monitor that stopped reading');
    // One debug line (not written by the agent itself) per turn of the event loop, so each reaches the
    // socket before the next: the backlog grows only once the client's and the agent's kernel buffers are full.
    for (let i = 0; i < 4096 && !dropped(); i++) {
      log.debug('filler for a client that never reads', { padding });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(main.records.find((r) => r.msg === 'dropping a log monitor that stopped reading')).toMatchObject({ level: 'warn', backlog_bytes: 1 << 20 });
    expect(await droppedMonitors(main.web)).toBe(1);
    // The agent closed the connection: once the client reads what was sent, it sees the close.
    socket.resume();
    await closed;
  });
});

describe('a stopping agent', () => {
  it('ends the monitor streams, so its web listener closes without waiting for the deadline', async () => {
    const other = await startAgent('');
    const res = await fetch(`http://${other.web}/v1/monitor`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const ended = (async () => {
      while (!(await reader.read()).done);
      return 'ended cleanly';
    })();
    expect(await other.agent.stop()).toBe(true);
    await expect(ended).resolves.toBe('ended cleanly');
    expect(other.records.some((r) => /still open at the stop deadline/.test(r.msg))).toBe(false);
  });
});
