/**
 * The client commands against a stand-in agent on 127.0.0.1: where they send
 * their requests (--addr, else the listener in --config), which token they
 * send, and how they print the agent's error answers.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeIO } from '../support/fake-io.js';

interface Seen {
  readonly port: number;
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
}

/** Two stand-ins: `web` plays the agent's HTTP API, `raft` a member's Raft API. Each answers every request with `answer`. */
let answer: { status: number; type: string; body: string } = { status: 404, type: 'application/json', body: '' };
const seen: Seen[] = [];
const servers: Server[] = [];
let webPort = 0;
let raftPort = 0;

async function standIn(): Promise<number> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ port: (server.address() as AddressInfo).port, method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(answer.status, { 'content-type': answer.type });
      res.end(answer.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

const dir = mkdtempSync(join(tmpdir(), 'dinc-cli-client-'));
const TOKEN = 'token-from-the-config-file';
let conf = '';

beforeAll(async () => {
  webPort = await standIn();
  raftPort = await standIn();
  conf = join(dir, 'cluster.conf');
  writeFileSync(conf, `[agent]\nid = node1\nweb = 127.0.0.1:${webPort}\napi_token = ${TOKEN}\n[raft]\nlisten = 127.0.0.1:${raftPort}\n`);
});
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));
beforeEach(() => {
  seen.length = 0;
  answer = { status: 418, type: 'application/json', body: JSON.stringify({ error: { code: 'DINC_TEST', message: 'seen' } }) };
});

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; err: string }> {
  const io = fakeIO({ env });
  const code = await main(argv, io);
  return { code, err: io.err() };
}

describe('client commands honour --config: the address of its listener and its [agent] api_token', () => {
  it.each([
    [['status'], 'web', 'GET /v1/status'],
    [['members'], 'web', 'GET /v1/members'],
    [['join', '127.0.0.1:7946'], 'web', 'POST /v1/join'],
    [['monitor'], 'web', 'GET /v1/monitor?level=info'],
    [['raft', 'list-peers'], 'raft', 'GET /v1/raft/peers'],
    [['raft', 'add', 'node4', '127.0.0.1:5004'], 'raft', 'POST /v1/raft/peers'],
    [['raft', 'remove', 'node4'], 'raft', 'DELETE /v1/raft/peers/node4'],
    [['raft', 'transfer-leader', 'node2'], 'raft', 'POST /v1/raft/transfer-leader'],
  ])('%j --config FILE asks the %s listener of FILE, with its token', async (argv, listener, request) => {
    expect(await run([...argv, '--config', conf])).toEqual({ code: 1, err: 'dinc-agent: seen (DINC_TEST)\n' });
    expect(seen).toEqual([{ port: listener === 'web' ? webPort : raftPort, method: request.split(' ')[0], path: request.split(' ')[1], authorization: `Bearer ${TOKEN}` }]);
  });

  it('raft --config FILE list-peers: the file given before the subcommand counts too', async () => {
    await run(['raft', '--config', conf, 'list-peers']);
    expect(seen.map((s) => s.port)).toEqual([raftPort]);
  });

  it('--addr wins over the address in --config; --token and DINC_API_TOKEN win over the file', async () => {
    await run(['raft', 'list-peers', '--config', conf, '--addr', `127.0.0.1:${webPort}`, '--token', 'token-given-on-the-command-line']);
    await run(['members', '--config', conf, '--addr', `127.0.0.1:${raftPort}`], { DINC_API_TOKEN: 'token-from-the-environment' });
    expect(seen.map((s) => [s.port, s.authorization])).toEqual([
      [webPort, 'Bearer token-given-on-the-command-line'],
      [raftPort, 'Bearer token-from-the-environment'],
    ]);
  });

  it('with neither --config nor a token, no Authorization header is sent', async () => {
    await run(['members', '--addr', `127.0.0.1:${webPort}`]);
    expect(seen.map((s) => s.authorization)).toEqual([undefined]);
  });
});

describe("an error answer is printed as the agent's message and code on one line", () => {
  it('the error shape gives "dinc-agent: MESSAGE (CODE)", not the raw JSON', async () => {
    answer = { status: 404, type: 'application/json', body: JSON.stringify({ error: { code: 'DINC_NOT_FOUND', message: 'no member named nobody' } }) };
    expect(await run(['raft', 'remove', 'nobody', '--addr', `127.0.0.1:${raftPort}`])).toEqual({ code: 1, err: 'dinc-agent: no member named nobody (DINC_NOT_FOUND)\n' });
    expect(await run(['monitor', '--addr', `127.0.0.1:${webPort}`])).toEqual({ code: 1, err: 'dinc-agent: no member named nobody (DINC_NOT_FOUND)\n' });
  });

  it('a message over several lines is shown on one', async () => {
    answer = { status: 400, type: 'application/json', body: JSON.stringify({ error: { code: 'DINC_BAD_REQUEST', message: 'first\nsecond\r\n\tthird' } }) };
    expect((await run(['members', '--addr', `127.0.0.1:${webPort}`])).err).toBe('dinc-agent: first second third (DINC_BAD_REQUEST)\n');
  });

  it("an answer that is not the agent's error shape names the address and the status", async () => {
    answer = { status: 502, type: 'text/plain', body: 'Bad gateway' };
    expect((await run(['members', '--addr', `127.0.0.1:${webPort}`])).err).toBe(
      `dinc-agent: http://127.0.0.1:${webPort}/v1/members answered 502 with something that is not the agent's error shape: Bad gateway (DINC_AGENT_ERROR)\n`,
    );
  });
});
