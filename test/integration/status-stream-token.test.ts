/**
 * `status --watch` follows `/v1/stream`; when reads need the token
 * (`[agent] api_token_reads`), the stream's upgrade request carries it, and
 * an agent that refuses it stops the view with words that say what to pass.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { AgentError } from '../../src/errors.js';
import { StatusStream, type StreamView } from '../../src/ui/terminal/status-stream.js';

const TOKEN = 'stream-token-0123456789';
const snapshot: unknown = JSON.parse(readFileSync('test/fixtures/status-snapshot.json', 'utf8'));

let server: Server;
let url = '';
beforeAll(async () => {
  const wss = new WebSocketServer({ noServer: true });
  server = createServer();
  server.on('upgrade', (req, socket, head) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => ws.send(JSON.stringify({ type: 'snapshot', snapshot })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/stream`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Runs a stream until it goes live or fails for good. */
function follow(headers?: Record<string, string>): Promise<StreamView | AgentError> {
  return new Promise((resolve) => {
    const stream = new StatusStream({
      url,
      headers,
      onChange: (view) => {
        if (view.connection.state !== 'live') return;
        stream.stop();
        resolve(view);
      },
      onFatal: (error) => {
        stream.stop();
        resolve(error);
      },
    });
    stream.start();
  });
}

describe('the status stream with a token', () => {
  it('sends the token with its upgrade request and goes live', async () => {
    const view = (await follow({ authorization: `Bearer ${TOKEN}` })) as StreamView;
    expect(view.snapshot?.agent.id).toBe('node001');
  });

  it('stops on a 401 and says how to pass the token', async () => {
    const error = (await follow()) as AgentError;
    expect(error.message).toMatch(/401.*--token.*DINC_API_TOKEN/);
  });
});
