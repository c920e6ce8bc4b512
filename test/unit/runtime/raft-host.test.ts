import { describe, expect, it } from 'vitest';
import { DEFAULT_RAFT_CONFIG, bootstrapState } from '../../../src/core/raft/types.js';
import { seededRng } from '../../../src/core/rng.js';
import { encodeKvCommand } from '../../../src/core/state/kv-codec.js';
import { RaftHost } from '../../../src/runtime/raft/host.js';
import { MemoryNetwork } from '../../../src/runtime/raft/memory-transport.js';
import { MemoryStorage } from '../../../src/runtime/raft/memory-storage.js';
import type { Outcome } from '../../../src/runtime/raft/outcome.js';
import { SimClock } from '../../sim/clock.js';
import { simTimers } from '../../sim/sim-timers.js';
import { memoryLogger } from '../../support/memory-log.js';

const IDS = ['a', 'b', 'c'];

/** Three drivers on memory storage and a memory network, on one virtual clock. */
function group(seed: number): { clock: SimClock; network: MemoryNetwork; hosts: RaftHost[]; run: (ms: number) => Promise<void> } {
  const clock = new SimClock();
  const timers = simTimers(clock);
  const network = new MemoryNetwork(timers, 1);
  const byId = new Map<string, RaftHost>();
  const hosts = IDS.map((id, i) => {
    const storage = new MemoryStorage(bootstrapState(IDS), { timers, latencyMs: () => 2 });
    const transport = network.join(id, (messages) => byId.get(id)?.receive(messages));
    const host = new RaftHost(
      { raft: { ...DEFAULT_RAFT_CONFIG, id }, tickMs: 10, snapshotThreshold: 1000, storage, transport, timers, rng: seededRng(seed + i), log: memoryLogger().log, session: `${id}~test` },
      storage.state(),
    );
    byId.set(id, host);
    return host;
  });
  const run = async (ms: number): Promise<void> => {
    const end = clock.now + ms;
    while (clock.now < end) {
      clock.runUntil(clock.now + 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { clock, network, hosts, run };
}

const put = (key: string, value: number): Uint8Array => encodeKvCommand({ type: 'put', key, value });

async function settle(promise: Promise<Outcome>, run: (ms: number) => Promise<void>): Promise<Outcome> {
  let outcome: Outcome | undefined;
  void promise.then((o) => (outcome = o));
  for (let i = 0; i < 100 && outcome === undefined; i++) await run(10);
  if (outcome === undefined) throw new Error('no outcome');
  return outcome;
}

describe('RaftHost on injected timers, memory storage and a memory network', () => {
  it('three drivers elect one leader and answer a write once it is applied, on virtual time only', async () => {
    const { hosts, run } = group(1);
    for (const h of hosts) h.start();
    await run(1000);
    const leaders = hosts.filter((h) => h.status().role === 'leader');
    expect(leaders).toHaveLength(1);
    const leader = leaders[0] as RaftHost;
    const outcome = await settle(leader.write(put('k', 7), 5000), run);
    expect(outcome).toMatchObject({ kind: 'done', result: { ok: true } });
    const read = await settle(leader.read('k', 'linearizable', 5000), run);
    expect(read).toMatchObject({ kind: 'done', result: { ok: true, value: 7 } });
    await run(100);
    for (const h of hosts) expect(h.readLocal('k')).toMatchObject({ ok: true, value: 7 });
    for (const h of hosts) await h.stop();
  });

  it('a write waits no longer than its deadline on the injected timers (unknown)', async () => {
    const { hosts, network, run } = group(2);
    for (const h of hosts) h.start();
    await run(1000);
    const leader = hosts.find((h) => h.status().role === 'leader') as RaftHost;
    network.isolate(leader.id);
    const outcome = await settle(leader.write(put('k', 1), 300), run);
    expect(outcome).toMatchObject({ kind: 'unknown' });
    for (const h of hosts) await h.stop();
  });

  it('the same seed gives the same leader and term', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const { hosts, run } = group(7);
      for (const h of hosts) h.start();
      await run(800);
      runs.push(hosts.map((h) => `${h.status().role}@${h.status().term}`).join(','));
      for (const h of hosts) await h.stop();
    }
    expect(runs[0]).toBe(runs[1]);
  });
});
