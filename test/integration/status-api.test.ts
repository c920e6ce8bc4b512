import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildConfig } from '../../src/config/load.js';
import { Agent } from '../../src/runtime/agent.js';
import { HttpListener } from '../../src/runtime/http-listener.js';
import { StatusFeed } from '../../src/runtime/status-feed.js';
import { SNAPSHOT_VERSION, type MemberStatus, type StatusSnapshot } from '../../src/ops/snapshot.js';
import { applyPatch, type StreamMessage } from '../../src/ops/snapshot-patch.js';
import { eventually } from '../support/eventually.js';
import { memoryLogger } from '../support/memory-log.js';
import { freePortBase } from '../support/ports.js';

// Two in-process agents on 127.0.0.1; node002 joins node001 during the tests.

let base = 0;
const agents: Agent[] = [];
let web = '';

function agentConfig(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'dinc-status-'));
  return buildConfig({
    hostname: 'h',
    file: {
      path: `n${n}.conf`,
      text: `[cluster]\nname = st\nmulticast_group = off\nexpect = 2\n[agent]\nid = node00${n}\nbind_address = 127.0.0.1\nport = ${base + n}\nweb = 127.0.0.1:0\ndata_dir = ${dir}\n`,
    },
  });
}

async function startAgent(n: number): Promise<Agent> {
  const config = agentConfig(n);
  const agent = new Agent(config, { log: memoryLogger('warn').log, reloadConfig: () => Promise.resolve(config), monotonicMs: () => performance.now() });
  await agent.start();
  agents.push(agent);
  return agent;
}

beforeAll(async () => {
  base = await freePortBase(3);
  const first = await startAgent(1);
  web = `127.0.0.1:${first.webAddress?.port}`;
});
afterAll(async () => {
  for (const a of agents.reverse()) await a.stop();
});

/** Collects the messages of a WebSocket watcher of /v1/stream. */
function watch(): { ws: WebSocket; messages: StreamMessage[]; view: () => StatusSnapshot | undefined } {
  const ws = new WebSocket(`ws://${web}/v1/stream`);
  const messages: StreamMessage[] = [];
  let view: StatusSnapshot | undefined;
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString('utf8')) as StreamMessage;
    messages.push(m);
    view = m.type === 'snapshot' ? m.snapshot : applyPatch(view as StatusSnapshot, m.patch);
  });
  return { ws, messages, view: () => view };
}

const stateOf = (s: StatusSnapshot | undefined, id: string): MemberStatus['state'] | undefined => s?.members.find((m) => m.id === id)?.state;

describe('the status API', () => {
  it('/v1/status is the versioned snapshot: agent, leader with quorum, members, events, counters', async () => {
    const s = (await (await fetch(`http://${web}/v1/status`)).json()) as StatusSnapshot;
    expect(s.version).toBe(SNAPSHOT_VERSION);
    expect(s.cluster).toEqual({ name: 'st', encrypted: false, profile: 'lan', expect: 2 });
    expect(s.agent).toMatchObject({ id: 'node001', gossip: `127.0.0.1:${base + 1}`, web, pid: expect.any(Number) as unknown });
    // Alone, it sees 1 of the 2 it needs: no leader, and the status says why.
    expect(s.leader).toMatchObject({ id: null, self: false, quorum: { needed: 2, seen: 1, reached: false }, own_quorum: false });
    expect(s.leader.reason).toMatch(/no quorum/);
    expect(s.members).toEqual([expect.objectContaining({ id: 'node001', state: 'alive', self: true, leader: false })]);
    expect(s.counters.in.udp).toEqual({ packets: expect.any(Number) as unknown, bytes: expect.any(Number) as unknown });
    expect(Array.isArray(s.events)).toBe(true);
  });

  it('/v1/stream sends the snapshot, then patches that follow a join and a leader election', async () => {
    const w = watch();
    try {
      await eventually(() => Promise.resolve(expect(w.messages[0]?.type).toBe('snapshot')));
      const second = await startAgent(2);
      await second.membership.join([{ host: '127.0.0.1', port: base + 1 }]);
      await eventually(() => Promise.resolve(expect(stateOf(w.view(), 'node002')).toBe('alive')));
      await eventually(() => Promise.resolve(expect(w.view()?.leader).toMatchObject({ id: 'node001', self: true, quorum: { reached: true } })));
      expect(w.messages.slice(1).every((m) => m.type === 'patch')).toBe(true);
      expect(w.view()?.events.map((e) => e.message)).toEqual(expect.arrayContaining(['New node discovered: node002', 'This agent (node001) is now the leader']));
      // What the watcher built from patches is what the agent reports.
      const now = (await (await fetch(`http://${web}/v1/status`)).json()) as StatusSnapshot;
      expect(w.view()?.members.map((m) => [m.id, m.state])).toEqual(now.members.map((m) => [m.id, m.state]));
    } finally {
      w.ws.close();
    }
  });

  it("/events streams GoCluster's fields: cluster_name, local_node, leader, nodes keyed by id, timestamp", async () => {
    const res = await fetch(`http://${web}/events`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!/^data: .*\n\n/m.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const event = JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? '{}') as Record<string, unknown>;
    expect(event).toMatchObject({ cluster_name: 'st', local_node: 'node001', leader: 'node001', nodes: { node001: { state: 'leader', address: `127.0.0.1:${base + 1}` }, node002: { state: 'follower' } } });
    expect(Date.parse(event.timestamp as string)).not.toBeNaN();
  });

  it('a WebSocket upgrade anywhere but /v1/stream is refused with a 404', async () => {
    const ws = new WebSocket(`ws://${web}/v1/elsewhere`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
  });
});

describe('a watcher that stops reading', () => {
  it('is dropped once its backlog passes the limit, so it cannot grow the memory of the agent', async () => {
    // Big snapshots that change on every push fill any socket buffer quickly.
    let n = 0;
    const big = (): StatusSnapshot => ({ version: 1, time: new Date().toISOString(), members: [], events: [], roles: {}, filler: `${n++}`.padEnd(256 * 1024, 'x') }) as unknown as StatusSnapshot;
    const listeners = new Set<() => void>();
    const feed = new StatusFeed({ take: big, onChange: (l) => (listeners.add(l), () => listeners.delete(l)), log: memoryLogger('error').log, backlogBytes: 64 * 1024 });
    const listener = new HttpListener('test', { host: '127.0.0.1', port: 0 }, new Map(), memoryLogger('error').log, { upgrade: (req, socket, head) => feed.upgrade(req, socket, head) });
    await listener.start();
    const socket = connect(listener.boundAddress?.port ?? 0, '127.0.0.1');
    try {
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write('GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      socket.pause(); // and never read again
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await eventually(() => {
        for (const l of listeners) l();
        return Promise.resolve(expect(feed.dropped).toBe(1));
      }, 60_000, 200);
      socket.resume(); // drain what was sent, then the close
      await closed;
    } finally {
      socket.destroy();
      await feed.stop();
      await listener.stop(new AbortController().signal);
    }
  });
});
