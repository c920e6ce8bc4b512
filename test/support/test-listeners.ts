/**
 * The agent's two kinds of listener, in this process, on 127.0.0.1 port 0,
 * over the same routes and options: the web listener (HttpListener) and the
 * Raft role's sniffing listener (with a sink that holds the Raft connections
 * it is given), so that a test can check a rule on both.
 */
import { connect, type Socket } from 'node:net';
import type { Routes } from '../../src/runtime/http.js';
import { HttpListener, type ListenerOptions } from '../../src/runtime/http-listener.js';
import { RaftListener } from '../../src/roles/raft/listener.js';
import { RAFT_MAGIC } from '../../src/runtime/raft/transport.js';
import { memoryLogger, type LogRecord } from './memory-log.js';

export interface TestListener {
  /** "web" or "raft": the name it counts under. */
  readonly name: string;
  readonly port: number;
  readonly base: string;
  /** The Raft connections the sniffing listener handed over (none on the web listener). */
  readonly raftSockets: Socket[];
  /** Its log records at error level. */
  readonly errors: LogRecord[];
  stop(): Promise<void>;
}

export async function startListeners(routes: Routes, opts: ListenerOptions): Promise<TestListener[]> {
  const { log, records } = memoryLogger('error');
  const web = new HttpListener('web', { host: '127.0.0.1', port: 0 }, routes, log, opts);
  const raftSockets: Socket[] = [];
  const raft = new RaftListener({ host: '127.0.0.1', port: 0 }, routes, { magic: RAFT_MAGIC, accept: (socket) => raftSockets.push(socket) }, log, opts);
  await web.start();
  await raft.start();
  const port = (l: { boundAddress: { port: number } | undefined }): number => l.boundAddress?.port ?? 0;
  const letGo = AbortSignal.abort();
  return [
    { name: 'web', port: port(web), base: `http://127.0.0.1:${port(web)}`, raftSockets: [], errors: records, stop: () => web.stop(letGo) },
    {
      name: 'raft',
      port: port(raft),
      base: `http://127.0.0.1:${port(raft)}`,
      raftSockets,
      errors: records,
      stop: async () => {
        for (const s of raftSockets) s.destroy();
        await raft.stop(letGo);
      },
    },
  ];
}

/** A raw connection to `port` that reads (and drops) whatever comes back; `closed` resolves when the server closes it. */
export function rawConnection(port: number): Promise<{ socket: Socket; closed: Promise<void>; received: () => string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('connect', () => resolve({ socket, closed, received: () => Buffer.concat(chunks).toString('latin1') }));
    socket.once('error', (e) => reject(e));
    socket.on('error', () => undefined);
  });
}
