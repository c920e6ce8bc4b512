/**
 * Raft groups of real `dinc-agent raft` processes on 127.0.0.1 for tests:
 * each member has its own config file and data directory in one temporary
 * directory, free ports, JSON logs. Members can be killed with SIGKILL and
 * started again on the same data directory. `http` talks to a member's Raft
 * API and never throws: a connection failure or client timeout is status 0.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAgent, type AgentProcess } from './agent-process.js';
import { eventually } from './eventually.js';
import { freePortBase } from './ports.js';

export interface Member {
  readonly id: string;
  readonly raftPort: number;
  readonly gossipPort: number;
  readonly conf: string;
  readonly dataDir: string;
  process?: AgentProcess;
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

export class LoopbackGroup {
  readonly members: Member[] = [];

  private constructor(readonly dir: string) {}

  /**
   * `size` members that form a group from `[raft] peers` (or, with
   * `bootstrap: 'gossip'`, from `bootstrap_expect = size` and the agents
   * gossip finds through `[nodes]` seeds); `spare` more that start empty
   * (bootstrap_expect = 0) and wait to be added. Each group has a cluster
   * name of its own, so groups of tests running side by side never gossip
   * with each other.
   */
  static async create(size: number, opts: { spare?: number; extra?: string; bootstrap?: 'peers' | 'gossip' } = {}): Promise<LoopbackGroup> {
    const group = new LoopbackGroup(mkdtempSync(join(tmpdir(), 'dinc-raft-')));
    const total = size + (opts.spare ?? 0);
    const base = await freePortBase(total * 2);
    const ids = Array.from({ length: total }, (_, i) => `n${i + 1}`);
    const peers = ids.slice(0, size).map((id, i) => `${id}=127.0.0.1:${base + 1 + i}`).join(', ');
    const seeds = ids.map((id, i) => `${id} = "127.0.0.1:${base + 1 + total + i}"`).join('\n');
    const cluster = `raft-${Math.random().toString(36).slice(2, 10)}`;
    ids.forEach((id, i) => {
      const raftPort = base + 1 + i;
      const gossipPort = base + 1 + total + i;
      const dataDir = join(group.dir, id);
      const conf = join(group.dir, `${id}.conf`);
      const founder = opts.bootstrap === 'gossip' ? `bootstrap_expect = ${size}` : `peers = ${peers}`;
      writeFileSync(
        conf,
        `[cluster]\nname = ${cluster}\n[agent]\nid = ${id}\nbind_address = 127.0.0.1\nport = ${gossipPort}\nweb = off\ndata_dir = ${dataDir}\n` +
          `[raft]\nlisten = 127.0.0.1:${raftPort}\n${i < size ? founder : 'bootstrap_expect = 0'}\n${opts.extra ?? ''}` +
          (opts.bootstrap === 'gossip' ? `[nodes]\n${seeds}\n` : ''),
      );
      group.members.push({ id, raftPort, gossipPort, conf, dataDir });
    });
    return group;
  }

  member(id: string): Member {
    const m = this.members.find((x) => x.id === id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  /** Starts `ids` (default: every member) and waits until each listens. */
  async start(ids = this.members.map((m) => m.id)): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        const m = this.member(id);
        m.process = await spawnAgent(['raft', '--config', m.conf]);
        await m.process.waitFor((r) => typeof r.msg === 'string' && r.msg.startsWith('raft listening on'));
      }),
    );
  }

  kill(id: string): Promise<number | string> {
    const m = this.member(id);
    m.process?.kill();
    return m.process?.exited ?? Promise.resolve(0);
  }

  /** The member every one of `ids` names as leader once each is ready (`GET /ready` answers 200: a leader known and committed entries applied). */
  async leader(ids = this.running()): Promise<string> {
    return eventually(async () => {
      const views = await Promise.all(ids.map((id) => this.http(id, 'GET', '/ready')));
      const leaders = new Set(views.map((v) => v.body.leader));
      const leader = views[0]?.body.leader;
      if (views.some((v) => v.status !== 200) || typeof leader !== 'string' || leaders.size !== 1) throw new Error(`not every member is ready with one leader yet: ${JSON.stringify(views.map((v) => v.body))}`);
      return leader;
    }, 30_000);
  }

  running(): string[] {
    return this.members.filter((m) => m.process && m.process.child.exitCode === null && m.process.child.signalCode === null).map((m) => m.id);
  }

  async http(id: string, method: string, path: string, body?: string, timeoutMs = 10_000): Promise<Answer> {
    const { raftPort } = this.member(id);
    try {
      const res = await fetch(`http://127.0.0.1:${raftPort}${path}`, { method, body, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { text };
      }
      return { status: res.status, body: parsed, headers: res.headers };
    } catch {
      return { status: 0, body: {}, headers: new Headers() };
    }
  }
}

export interface WriteLoad {
  readonly acked: Set<number>;
  attempts(): number;
  /** Resolves once `count` writes in all have been acknowledged; rejects after `ms`. */
  acknowledged(count: number, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Writes unique keys `w<n>` with value `<n>` from `clients` loops against
 * random running members until `stop()`; records which writes were
 * acknowledged (200). A write with any other answer is not acknowledged.
 */
export function writeLoad(group: LoopbackGroup, clients = 8): WriteLoad {
  const acked = new Set<number>();
  let next = 0;
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const ids = group.running();
      const id = ids[Math.floor(Math.random() * ids.length)];
      if (id === undefined) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const n = next++;
      const answer = await group.http(id, 'PUT', `/v1/kv/w${n}`, String(n), 8_000);
      if (answer.status === 200) acked.add(n);
      else await new Promise((r) => setTimeout(r, 20));
    }
  });
  return {
    acked,
    attempts: () => next,
    acknowledged: (count, ms = 30_000) =>
      eventually(() => (acked.size >= count ? Promise.resolve() : Promise.reject(new Error(`${acked.size} of ${count} writes acknowledged (${next} attempted)`))), ms, 20),
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * The acknowledged writes that `id` does not return with a linearizable
 * read: a 404 or another value. A read without an answer (no leader for a
 * moment, a timeout) is asked again, up to a limit, and then counts as missing too.
 */
export async function missingWrites(group: LoopbackGroup, id: string, acked: Iterable<number>): Promise<number[]> {
  const all = [...acked];
  const missing: number[] = [];
  const read = async (n: number): Promise<Answer> => {
    let answer = await group.http(id, 'GET', `/v1/kv/w${n}`);
    for (let attempt = 1; attempt < 20 && answer.status !== 200 && answer.status !== 404; attempt++) {
      await new Promise((r) => setTimeout(r, 250));
      answer = await group.http(id, 'GET', `/v1/kv/w${n}`);
    }
    return answer;
  };
  for (let i = 0; i < all.length; i += 64) {
    await Promise.all(
      all.slice(i, i + 64).map(async (n) => {
        const answer = await read(n);
        if (answer.status !== 200 || answer.body.value !== String(n)) missing.push(n);
      }),
    );
  }
  return missing.sort((a, b) => a - b);
}
