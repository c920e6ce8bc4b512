/**
 * Real sockets on 127.0.0.1 for the Raft transport's tests: a listener that
 * sniffs the magic the way the agent's shared port does, members with an
 * address book, a man-in-the-middle proxy that can rewrite the client's
 * frames, and a raw client for hostile bytes.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { HostPort } from '../../../src/config/values.js';
import type { Message, NodeId } from '../../../src/core/raft/types.js';
import { RAFT_MAGIC, RaftTransport, type TransportOptions } from '../../../src/runtime/raft/transport.js';
import { sniffConnection } from '../../../src/runtime/sniff.js';
import { eventually } from '../../support/eventually.js';
import { memoryLogger, type LogRecord } from '../../support/memory-log.js';

export const MAGIC = Buffer.from(RAFT_MAGIC);

/** Retries a synchronous check (expectations) until it passes; see `eventually`. */
export function until<T>(check: () => T, ms?: number): Promise<T> {
  return eventually(() => Promise.resolve(check()), ms);
}

/** A TCP listener on 127.0.0.1 that hands connections starting with the magic to `accept` (sniffed as the Raft role's listener does), and closes the others. */
export class SniffingListener {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly address: HostPort,
  ) {}

  static async start(accept: (socket: Socket, head: Buffer) => void, port = 0): Promise<SniffingListener> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      sniffConnection(socket, RAFT_MAGIC, (isRaft, head) => {
        sockets.delete(socket);
        if (isRaft) accept(socket, head);
        else socket.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return new SniffingListener(server, sockets, { host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface Member {
  readonly id: NodeId;
  readonly transport: RaftTransport;
  readonly listener: SniffingListener;
  /** Every message delivered, in order. */
  readonly received: Message[];
  /** Each onMessages call's batch size. */
  readonly batches: number[];
  readonly records: LogRecord[];
  stop(): Promise<void>;
}

export type Book = Map<NodeId, HostPort>;

/** Starts a member listening on 127.0.0.1 (port 0 or `port`), registered in `book`. */
export async function startMember(id: NodeId, book: Book, options: Partial<TransportOptions> = {}, port = 0): Promise<Member> {
  const { log, records } = memoryLogger('debug');
  const received: Message[] = [];
  const batches: number[] = [];
  const transport = new RaftTransport({
    id,
    secret: null,
    resolve: (peer) => book.get(peer),
    onMessages: (messages) => {
      batches.push(messages.length);
      received.push(...messages);
    },
    log,
    ...options,
  });
  const listener = await SniffingListener.start((socket, head) => transport.accept(socket, head), port);
  book.set(id, listener.address);
  return {
    id,
    transport,
    listener,
    received,
    batches,
    records,
    async stop() {
      await transport.close();
      await listener.close();
    },
  };
}

/** Frames of the client→server stream, as the proxy sees them. */
export type FrameRewrite = (frame: Buffer, index: number, connection: number) => Buffer[];

/**
 * A proxy in front of `target` that parses what the client sends (magic,
 * hello, proof when `auth`, then frames) and forwards each frame as
 * `rewrite` says. It records each connection's client bytes as sent.
 */
export class FrameProxy {
  readonly recorded: Buffer[][] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly address: HostPort,
  ) {}

  static async start(target: HostPort, auth: boolean, rewrite: FrameRewrite): Promise<FrameProxy> {
    const box: { proxy?: FrameProxy } = {};
    const server = createServer((client) => {
      const p = box.proxy as FrameProxy;
      const connection = p.recorded.length;
      const record: Buffer[] = [];
      p.recorded.push(record);
      const upstream = connect(target.port, target.host);
      p.sockets.add(client).add(upstream);
      for (const s of [client, upstream]) {
        s.on('error', () => undefined);
        s.on('close', () => {
          p.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      let pending = Buffer.alloc(0);
      let stage: 'magic' | 'hello' | 'proof' | 'frames' = 'magic';
      let frames = 0;
      client.on('data', (chunk: Buffer) => {
        record.push(chunk);
        pending = Buffer.concat([pending, chunk]);
        for (;;) {
          if (stage === 'magic') {
            if (pending.length < MAGIC.length) return;
            upstream.write(pending.subarray(0, MAGIC.length));
            pending = pending.subarray(MAGIC.length);
            stage = 'hello';
          } else if (stage === 'hello' || stage === 'proof') {
            if (pending.length < 2 || pending.length < 2 + pending.readUInt16BE(0)) return;
            const n = 2 + pending.readUInt16BE(0);
            upstream.write(pending.subarray(0, n));
            pending = pending.subarray(n);
            stage = stage === 'hello' && auth ? 'proof' : 'frames';
          } else {
            if (pending.length < 4) return;
            const n = 4 + pending.readUInt32BE(0) + (auth ? 16 : 0);
            if (pending.length < n) return;
            const frame = Buffer.from(pending.subarray(0, n));
            pending = pending.subarray(n);
            for (const out of rewrite(frame, frames++, connection)) upstream.write(out);
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    box.proxy = new FrameProxy(server, { host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    return box.proxy;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Connects, writes `bytes` (and, with `end`, closes its sending side), and
 * resolves with what the server sent once the connection is closed.
 */
export function rawExchange(to: HostPort, bytes: Buffer, opts: { end?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(to.port, to.host, () => (opts.end ? socket.end(bytes) : socket.write(bytes)));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** A hello as the wire format says, after the magic. */
export function helloBytes(from: string, to: string, opts: { auth?: 0 | 1; version?: number; nonce?: Buffer } = {}): Buffer {
  const f = Buffer.from(from);
  const t = Buffer.from(to);
  const body = Buffer.concat([Buffer.of(opts.version ?? 1, opts.auth ?? 0, f.length), f, Buffer.of(t.length), t, opts.nonce ?? Buffer.alloc(32, 7)]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length);
  return Buffer.concat([MAGIC, length, body]);
}

/** A frame without a MAC: u32 length and payload. */
export function plainFrame(payload: Uint8Array): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(payload.length);
  return Buffer.concat([h, payload]);
}

export function records(m: Member, msg: string): LogRecord[] {
  return m.records.filter((r) => r.msg === msg);
}
