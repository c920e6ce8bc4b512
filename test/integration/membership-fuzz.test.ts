import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterTag, decodePacket, encodePackets } from '../../src/core/membership/codec.js';
import { MsgType, type PacketMessage } from '../../src/core/membership/messages.js';
import { seededRng, type Rng } from '../../src/core/rng.js';
import { readDatagram } from '../../src/runtime/membership/inbound.js';
import { Keyring } from '../../src/runtime/membership/keyring.js';
import { ReplayGuard } from '../../src/runtime/membership/replay-guard.js';
import { MAX_DATAGRAM_BYTES } from '../../src/runtime/membership/udp-receive.js';
import { killAgents, spawnAgent, type AgentProcess } from '../support/agent-process.js';
import { eventually } from '../support/eventually.js';
import { freePortBase } from '../support/ports.js';

// Real agents on 127.0.0.1 under a bounded UDP fuzz: mutated valid packets
// (bit flips, truncations, extensions, random bytes, oversize datagrams,
// exact replays; with a key also stale and authenticated garbage) at one
// agent's gossip port. The agent must not crash, must keep seeing its peer
// alive, and must count every datagram it drops, by the reason the test
// predicts for it with the same reader (inbound.ts). Bursts of 64 are
// fenced by a ping whose ack proves the agent has read them all, so the
// kernel never drops one and the counts can be exact.

afterEach(killAgents);

const CLUSTER = 'fuzz';
const TAG = clusterTag(CLUSTER);
const PACKETS_PER_MODE = 50_000;
const BURST = 64;
const WINDOW_MS = 30_000;
const KEY = Buffer.alloc(32, 9).toString('base64');

interface Pair {
  readonly target: AgentProcess;
  readonly gossip: number;
  web(i: number): string;
}

/** Two agents that seed each other; node001 is the target. */
async function pair(key: string | undefined): Promise<Pair> {
  const base = await freePortBase(20);
  const dir = mkdtempSync(join(tmpdir(), 'dinc-fuzz-'));
  const agents: AgentProcess[] = [];
  for (const i of [1, 2]) {
    const conf = join(dir, `node00${i}.conf`);
    writeFileSync(
      conf,
      `[agent]\nid = node00${i}\nbind_address = 127.0.0.1\nport = ${base + i}\nweb = 127.0.0.1:${base + 10 + i}\ndata_dir = ${join(dir, String(i))}\n` +
        `[gossip]\nprofile = local\n[cluster]\nname = ${CLUSTER}\nmulticast_group = off\nexpect = 2\n${key ? `encrypt_key = ${key}\n` : ''}` +
        `[nodes]\nnode001 = "127.0.0.1:${base + 1}"\nnode002 = "127.0.0.1:${base + 2}"\n`,
    );
    const agent = await spawnAgent(['start', '--config', conf, '--port', String(base + i)]);
    agents.push(agent);
  }
  for (const a of agents) await a.waitFor((r) => r.msg.endsWith(' running'));
  return { target: agents[0] as AgentProcess, gossip: base + 1, web: (i) => `127.0.0.1:${base + 10 + i}` };
}

interface Counts {
  readonly drops: Map<string, number>;
  readonly udpIn: number;
}

/** The target's drop counters and UDP packets in, read from its /metrics. */
async function counts(web: string): Promise<Counts> {
  const text = await (await fetch(`http://${web}/metrics`)).text();
  const drops = new Map<string, number>();
  let udpIn = 0;
  for (const line of text.split('\n')) {
    const drop = /^dinc_gossip_dropped_total\{reason="([^"]+)"\} (\d+)$/.exec(line);
    if (drop) drops.set(drop[1] as string, Number(drop[2]));
    const flow = /^dinc_gossip_packets_total\{direction="in",channel="udp"\} (\d+)$/.exec(line);
    if (flow) udpIn = Number(flow[1]);
  }
  return { drops, udpIn };
}

async function bothAlive(p: Pair): Promise<void> {
  await eventually(async () => {
    for (const i of [1, 2]) {
      const view = (await (await fetch(`http://${p.web(i)}/v1/members`)).json()) as { members: { id: string; state: string }[] };
      expect(view.members.filter((m) => m.id.startsWith('node')).map((m) => `${m.id} ${m.state}`)).toEqual(['node001 alive', 'node002 alive']);
    }
  });
}

/** The fuzzer: makes mutated packets, predicts what the agent makes of each, sends them in fenced bursts. */
class Fuzzer {
  readonly predicted = new Map<string, number>();
  sent = 0;
  private readonly keyring: Keyring;
  /** Mirrors the agent's replay guard: the agent admits the same sealed frames in the same order. */
  private readonly guard = new ReplayGuard(0);
  private readonly recent: Uint8Array[] = [];
  private readonly rng: Rng;
  private readonly socket: Socket = createSocket('udp4');
  private port = 0;
  private fenceSeq = 0x7000_0000;
  private fenced: (() => void) | undefined;

  constructor(
    private readonly key: string | undefined,
    private readonly to: number,
    seed: number,
  ) {
    this.keyring = new Keyring(key ? [key] : [], CLUSTER);
    this.rng = seededRng(seed);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    this.port = this.socket.address().port;
    this.socket.on('message', (msg) => this.onReply(msg));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  async run(total: number): Promise<void> {
    while (this.sent < total) {
      for (let i = 0; i < BURST && this.sent < total; i++) this.send(this.mutant());
      await this.fence();
    }
  }

  // ---- what is sent --------------------------------------------------------

  /** A plain frame of one harmless message: about this fuzzer or a ghost sorted after the real members. */
  private basePlain(): Uint8Array {
    const r = this.rng;
    const u32 = (): number => r.int(2 ** 32);
    const from = { host: '127.0.0.1', port: this.port };
    const messages: PacketMessage[] = [
      { type: MsgType.Ping, seq: u32(), target: 'node001', from: 'zz-fuzzer', fromAddr: from },
      { type: MsgType.Ack, seq: u32(), from: 'zz-fuzzer' },
      { type: MsgType.Nack, seq: u32(), from: 'zz-fuzzer' },
      { type: MsgType.Alive, id: `zz-ghost${r.int(4)}`, incarnation: r.int(2) === 0 ? u32() : r.int(10), addr: { host: '127.0.0.1', port: 9 }, meta: { roles: [], services: {}, tags: {}, version: 'fuzz' } },
      { type: MsgType.Suspect, id: `zz-ghost${r.int(4)}`, incarnation: u32(), from: 'zz-fuzzer' },
      { type: MsgType.Dead, id: `zz-ghost${r.int(4)}`, incarnation: u32(), from: 'zz-fuzzer', left: r.int(2) === 0 },
      { type: MsgType.Load, id: `zz-ghost${r.int(4)}`, seq: u32(), cpu: r.next() * 100, lagMs: r.next() * 10 },
    ];
    const [frame] = encodePackets(TAG, [messages[r.int(messages.length)] as PacketMessage], 1300);
    return frame as Uint8Array;
  }

  private randomBytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.rng.int(256);
    return b;
  }

  private flip(bytes: Uint8Array): Uint8Array {
    const out = Uint8Array.from(bytes);
    const flips = 1 + this.rng.int(8);
    for (let i = 0; i < flips && out.length > 0; i++) {
      const at = this.rng.int(out.length);
      out[at] = (out[at] as number) ^ (1 << this.rng.int(8));
    }
    return out;
  }

  private mutate(bytes: Uint8Array): Uint8Array {
    switch (this.rng.int(3)) {
      case 0:
        return this.flip(bytes);
      case 1:
        return bytes.slice(0, this.rng.int(bytes.length));
      default:
        return Uint8Array.from([...bytes, ...this.randomBytes(1 + this.rng.int(200))]);
    }
  }

  private seal(plain: Uint8Array, ageMs = 0): Uint8Array {
    return this.keyring.seal(plain, Date.now() - ageMs);
  }

  /** One datagram: mostly mutations of a valid packet, some valid, some replays, random or oversize. */
  private mutant(): Uint8Array {
    const r = this.rng.int(100);
    const keyed = this.key !== undefined;
    if (r < 8) return this.seal(this.basePlain());
    if (r < 20 && this.recent.length > 0) return this.recent[this.rng.int(this.recent.length)] as Uint8Array;
    if (r < 30) {
      const junk = this.randomBytes(this.rng.int(1400));
      if (junk.length >= 4 && this.rng.int(2) === 0) junk.set(keyed ? [0x44, 0x45, 2] : [0x44, 0x4e, 1, 0], 0);
      return junk;
    }
    if (r < 33) return this.randomBytes(MAX_DATAGRAM_BYTES + 1 + this.rng.int(1500));
    if (keyed && r < 45) return this.seal(this.mutate(this.basePlain()));
    if (keyed && r < 50) return this.seal(this.basePlain(), WINDOW_MS * 2);
    if (keyed && r < 53) return this.basePlain();
    return this.mutate(this.seal(this.basePlain()));
  }

  private send(bytes: Uint8Array): void {
    const verdict = bytes.length > MAX_DATAGRAM_BYTES ? 'oversize' : this.predict(bytes);
    if (verdict !== 'ok') this.predicted.set(verdict, (this.predicted.get(verdict) ?? 0) + 1);
    if (this.recent.length < 256) this.recent.push(bytes);
    else this.recent[this.rng.int(256)] = bytes;
    this.sent++;
    this.socket.send(bytes, this.to, '127.0.0.1');
  }

  private predict(bytes: Uint8Array): string {
    const read = readDatagram(bytes, { keyring: this.keyring, guard: this.guard, tag: TAG, now: Date.now(), windowMs: WINDOW_MS });
    return 'dropped' in read ? read.dropped : 'ok';
  }

  // ---- fences ---------------------------------------------------------------

  /** Sends a ping and resolves on its ack: the agent has read every datagram sent before it. */
  private async fence(): Promise<void> {
    const seq = ++this.fenceSeq;
    const [frame] = encodePackets(TAG, [{ type: MsgType.Ping, seq, target: 'node001', from: 'zz-fuzzer', fromAddr: { host: '127.0.0.1', port: this.port } }]);
    const acked = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for fence ${seq} after ${this.sent} datagrams: the agent stopped answering`)), 5000);
      this.fenced = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    const bytes = this.seal(frame as Uint8Array);
    expect(this.predict(bytes)).toBe('ok');
    this.socket.send(bytes, this.to, '127.0.0.1');
    await acked;
  }

  private onReply(msg: Buffer): void {
    const opened = this.keyring.open(msg);
    if ('dropped' in opened) return;
    const decoded = decodePacket(opened.plain, TAG);
    if (decoded.ok && decoded.value.some((m) => m.type === MsgType.Ack && m.seq === this.fenceSeq)) this.fenced?.();
  }
}

describe('a UDP fuzz of a real agent', () => {
  for (const [mode, key] of [
    ['without a key', undefined],
    ['with a key', KEY],
  ] as const) {
    it(`${mode}: ${PACKETS_PER_MODE} mutated datagrams crash nothing, leave membership intact, and every drop is counted by its reason`, async () => {
      const p = await pair(key);
      await bothAlive(p);
      const fuzzer = new Fuzzer(key, p.gossip, key ? 2 : 1);
      await fuzzer.start();
      const before = await counts(p.web(1));
      try {
        await fuzzer.run(PACKETS_PER_MODE);
      } finally {
        await fuzzer.stop();
      }
      const after = await counts(p.web(1));

      expect(p.target.child.exitCode, 'the target still runs').toBeNull();
      const delta = new Map([...after.drops].map(([reason, n]) => [reason, n - (before.drops.get(reason) ?? 0)] as const).filter(([, n]) => n > 0));
      expect(Object.fromEntries(delta)).toEqual(Object.fromEntries(fuzzer.predicted));
      const dropped = [...delta.values()].reduce((a, b) => a + b, 0);
      expect(dropped).toBeLessThan(fuzzer.sent);
      expect(after.udpIn - before.udpIn).toBeGreaterThanOrEqual(fuzzer.sent);
      expect([...fuzzer.predicted.keys()]).toEqual(expect.arrayContaining(key ? ['decrypt', 'replay', 'stale', 'unencrypted', 'oversize', 'crc'] : ['crc', 'short', 'oversize', 'magic']));
      await bothAlive(p);
    }, 60_000);
  }
});
