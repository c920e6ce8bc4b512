import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, killAgents, spawnAgent, type AgentProcess } from '../support/agent-process.js';
import { freePortBase } from '../support/ports.js';
import { eventually } from '../support/eventually.js';
import type { StatusSnapshot } from '../../src/ops/snapshot.js';

afterEach(killAgents);

interface MembersAnswer {
  leader: string | null;
  members: { id: string; state: string; leader: boolean }[];
}

interface Cluster {
  readonly dir: string;
  readonly base: number;
  readonly agents: Map<string, AgentProcess>;
  web(i: number): string;
  start(i: number, extra?: string): Promise<AgentProcess>;
  /** Rewrites agent i's config with `section` as the [cluster] body and sends SIGHUP. */
  reload(i: number, section: string): void;
}

/** Three-or-more agents on 127.0.0.1: gossip on base+i, web on base+10+i; `cluster` is the [cluster] section body. */
async function cluster(n: number, section: (base: number) => string): Promise<Cluster> {
  const base = await freePortBase(20);
  const dir = mkdtempSync(join(tmpdir(), 'dinc-members-'));
  const agents = new Map<string, AgentProcess>();
  const id = (i: number): string => `node00${i}`;
  const write = (i: number, body: string, extra = ''): string => {
    const conf = join(dir, `${id(i)}.conf`);
    writeFileSync(
      conf,
      `[agent]\nid = ${id(i)}\nbind_address = 127.0.0.1\nport = ${base + i}\nweb = 127.0.0.1:${base + 10 + i}\ndata_dir = ${join(dir, id(i))}\n${extra}\n[gossip]\nprofile = local\n[cluster]\nname = it\n${body}\n`,
    );
    return conf;
  };
  const c: Cluster = {
    dir,
    base,
    agents,
    web: (i) => `127.0.0.1:${base + 10 + i}`,
    reload(i, body) {
      write(i, body);
      agents.get(id(i))?.child.kill('SIGHUP');
    },
    async start(i, extra = '') {
      const conf = write(i, section(base), extra);
      const agent = await spawnAgent(['start', '--config', conf, '--port', String(base + i)]);
      agents.set(id(i), agent);
      await agent.waitFor((r) => r.msg.endsWith(' running'));
      return agent;
    },
  };
  for (let i = 1; i <= n; i++) await c.start(i);
  return c;
}

async function membersOf(web: string): Promise<MembersAnswer> {
  return (await (await fetch(`http://${web}/v1/members`)).json()) as MembersAnswer;
}


/** Every listed web endpoint sees exactly `states` and names `leader`. */
async function agree(c: Cluster, webs: number[], states: Record<string, string>, leader: string | null): Promise<void> {
  await eventually(async () => {
    for (const i of webs) {
      const view = await membersOf(c.web(i));
      expect(Object.fromEntries(view.members.map((m) => [m.id, m.state]))).toEqual(states);
      expect(view.leader).toBe(leader);
    }
  });
}

/** How many times agent i has logged a config reload. */
function reloads(c: Cluster, i: number): number {
  return (c.agents.get(`node00${i}`)?.records ?? []).filter((r) => r.msg === 'config reloaded').length;
}

/** Acks this agent has received: each one a probe of its own that went out and came back. */
async function acksOf(web: string): Promise<number> {
  const status = (await (await fetch(`http://${web}/v1/status`)).json()) as StatusSnapshot;
  return status.counters.messages_in.ack ?? 0;
}

const seeds = (base: number): string => `multicast_group = off\nexpect = 3\n[nodes]\nnode001 = "127.0.0.1:${base + 1}"\nnode002 = "127.0.0.1:${base + 2}"\nnode003 = "127.0.0.1:${base + 3}"`;

describe('agents on 127.0.0.1', () => {
  it('three agents with seeds agree on members and leader; a killed leader is replaced, and rejoins on restart', async () => {
    const c = await cluster(3, seeds);
    const all = { node001: 'alive', node002: 'alive', node003: 'alive' };
    await agree(c, [1, 2, 3], all, 'node001');

    const table = execFileSync(process.execPath, [BIN, 'members', '--addr', c.web(2)], { encoding: 'utf8' });
    expect(table.split('\n').filter((l) => l.startsWith('node')).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      `node001 127.0.0.1:${c.base + 1} alive`,
      `node002 127.0.0.1:${c.base + 2} alive`,
      `node003 127.0.0.1:${c.base + 3} alive`,
    ]);
    expect(table).toMatch(/^node001 .*\*$/m);

    c.agents.get('node001')?.child.kill('SIGKILL');
    await agree(c, [2, 3], { ...all, node001: 'dead' }, 'node002');
    const log = c.agents.get('node002')?.records.map((r) => r.msg) ?? [];
    expect(log).toEqual(expect.arrayContaining(['Node timeout: node001', 'Leader node001 timed out, initiating new election', 'This agent (node002) is now the leader']));

    await c.start(1);
    await agree(c, [1, 2, 3], all, 'node001');
  });

  it('a graceful stop shows as left, not dead', async () => {
    const c = await cluster(3, seeds);
    await agree(c, [1, 2, 3], { node001: 'alive', node002: 'alive', node003: 'alive' }, 'node001');
    c.agents.get('node003')?.child.kill('SIGTERM');
    expect(await c.agents.get('node003')?.exited).toBe(0);
    await agree(c, [1, 2], { node001: 'alive', node002: 'alive', node003: 'left' }, 'node001');
  });

  it('three agents find each other by multicast alone', async () => {
    const group = `239.255.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
    const c = await cluster(3, (base) => `multicast_group = ${group}\ndiscovery_port = ${base + 9}\nexpect = 3`);
    await agree(c, [1, 2, 3], { node001: 'alive', node002: 'alive', node003: 'alive' }, 'node001');
  });

  it('dinc-agent join connects two agents that know nothing of each other', async () => {
    const c = await cluster(2, () => 'multicast_group = off');
    execFileSync(process.execPath, [BIN, 'join', '--addr', c.web(2), `127.0.0.1:${c.base + 1}`], { encoding: 'utf8' });
    await agree(c, [1, 2], { node001: 'alive', node002: 'alive' }, 'node001');
  });

  it('keys rotate through SIGHUP without the cluster ever splitting', async () => {
    const [a, b] = [Buffer.alloc(32, 3).toString('base64'), Buffer.alloc(32, 4).toString('base64')];
    const peers = (base: number): string => `multicast_group = off\n[nodes]\nnode001 = "127.0.0.1:${base + 1}"`;
    const c = await cluster(2, (base) => `encrypt_key = ${a}\n${peers(base)}`);
    const both = { node001: 'alive', node002: 'alive' };
    await agree(c, [1, 2], both, 'node001');
    const steps = [`encrypt_key = ${a}\nencrypt_keys = ${b}`, `encrypt_key = ${b}\nencrypt_keys = ${a}`, `encrypt_key = ${b}`];
    for (const [n, step] of steps.entries()) {
      for (const i of [1, 2]) c.reload(i, `${step}\n${peers(c.base)}`);
      await eventually(() =>
        Promise.resolve().then(() => {
          for (const i of [1, 2]) expect(reloads(c, i)).toBe(n + 1);
        }),
      );
      // Both run on the new keys; each then has acks back twice: its probes go and come back under them.
      const acked = await Promise.all([1, 2].map((i) => acksOf(c.web(i))));
      await eventually(async () => {
        for (const i of [1, 2]) expect(await acksOf(c.web(i))).toBeGreaterThanOrEqual((acked[i - 1] ?? 0) + 2);
      });
      await agree(c, [1, 2], both, 'node001');
    }
    for (const i of [1, 2]) {
      const log = c.agents.get(`node00${i}`)?.records ?? [];
      expect(log.filter((r) => r.msg === 'config reloaded')).toHaveLength(3);
      expect(log.some((r) => r.msg === 'Node timeout: node001' || r.msg === 'Node timeout: node002')).toBe(false);
    }
    // The running agents now hold only the new key: an agent with it alone joins.
    await c.start(3, '');
    c.reload(3, `encrypt_key = ${b}\n${peers(c.base)}`);
    await agree(c, [1, 2, 3], { ...both, node003: 'alive' }, 'node001');
  });

  it('an agent with the wrong key cannot join, and its packets are counted as dropped', async () => {
    const key = (b: number): string => Buffer.alloc(32, b).toString('base64');
    const c = await cluster(2, (base) => `multicast_group = off\nencrypt_key = ${key(1)}\n[nodes]\nnode001 = "127.0.0.1:${base + 1}"`);
    await agree(c, [1, 2], { node001: 'alive', node002: 'alive' }, 'node001');
    const intruder = join(c.dir, 'intruder.conf');
    writeFileSync(
      intruder,
      `[cluster]\nname = it\nmulticast_group = off\nencrypt_key = ${key(2)}\n[agent]\nid = node000\nbind_address = 127.0.0.1\nport = ${c.base + 5}\nweb = 127.0.0.1:${c.base + 15}\ndata_dir = ${join(c.dir, 'x')}\n[nodes]\nnode001 = "127.0.0.1:${c.base + 1}"\n`,
    );
    const bad = await spawnAgent(['start', '--config', intruder, '--port', String(c.base + 5)]);
    await bad.waitFor((r) => r.msg.endsWith(' running'));
    await eventually(async () => {
      const status = (await (await fetch(`http://${c.web(1)}/v1/status`)).json()) as StatusSnapshot;
      expect(status.counters.drops.decrypt ?? 0).toBeGreaterThan(0);
    });
    await agree(c, [1, 2], { node001: 'alive', node002: 'alive' }, 'node001');
    expect((await membersOf(`127.0.0.1:${c.base + 15}`)).members.map((m) => m.id)).toEqual(['node000']);
  });
});
