import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterTag, encodePackets } from '../../src/core/membership/codec.js';
import { MsgType } from '../../src/core/membership/messages.js';
import { EMPTY_META } from '../../src/core/membership/types.js';
import { Keyring } from '../../src/runtime/membership/keyring.js';
import { MembershipService } from '../../src/runtime/membership/service.js';
import { buildFromText } from '../support/config-build.js';
import { memoryLogger } from '../support/memory-log.js';
import { freePortBase } from '../support/ports.js';

// One membership service in this process, on 127.0.0.1, fed datagrams by hand.

const KEY = Buffer.alloc(32, 5).toString('base64');
const open: { stop(): Promise<void> }[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
  for (const s of sockets.splice(0)) s.close();
});

async function service(extra = ''): Promise<{ svc: MembershipService; port: number; records: { msg: string }[] }> {
  const port = (await freePortBase(1)) + 1;
  const config = buildFromText(`[cluster]\nname = here\nmulticast_group = off\n${extra}\n[agent]\nid = node001\nbind_address = 127.0.0.1\nport = ${port}\n[gossip]\nprofile = local\n`, { hostname: 'h' });
  const { log, records } = memoryLogger();
  const svc = new MembershipService(config, log, () => EMPTY_META);
  await svc.start();
  open.push({ stop: () => svc.stop(AbortSignal.abort()) });
  return { svc, port, records };
}

async function sender(): Promise<Socket> {
  const s = createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

/** Waits, 5 ms at a time and at most 1000 times, until `cond` holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never happened: ${what}`);
}

const ping = (tag: number): Uint8Array => encodePackets(tag, [{ type: MsgType.Ping, seq: 1, target: 'node001', from: 'x', fromAddr: { host: '127.0.0.1', port: 9 } }])[0] as Uint8Array;

describe('what the membership service drops, it counts and explains', () => {
  it('a datagram over 1500 bytes is counted as an oversize drop and as a packet in', async () => {
    const { svc, port } = await service();
    const s = await sender();
    s.send(new Uint8Array(4000), port, '127.0.0.1');
    await until(() => svc.traffic.drops.get('oversize') === 1, 'the oversize drop is counted');
    expect(svc.traffic.in.udp.packets).toBeGreaterThanOrEqual(1);
  });

  it("packets of another cluster are named in one warning, with the sender and this agent's cluster", async () => {
    const { svc, port, records } = await service();
    const s = await sender();
    for (let i = 0; i < 5; i++) s.send(ping(clusterTag('elsewhere')), port, '127.0.0.1');
    await until(() => svc.traffic.drops.get('cluster') === 5, 'five foreign drops');
    const warnings = records.filter((r) => r.msg.startsWith('dropping packets from another cluster'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain(`at 127.0.0.1:${s.address().port}; this agent is in cluster 'here'`);
  });

  it('an exact replay of a captured encrypted packet is dropped as a replay; one sealed a minute ago as stale', async () => {
    const { svc, port } = await service(`encrypt_key = ${KEY}`);
    const ring = new Keyring([KEY], 'here');
    const s = await sender();
    const captured = ring.seal(ping(clusterTag('here')));
    for (let i = 0; i < 3; i++) s.send(captured, port, '127.0.0.1');
    s.send(ring.seal(ping(clusterTag('here')), Date.now() - 60_000), port, '127.0.0.1');
    await until(() => svc.traffic.drops.get('replay') === 2 && svc.traffic.drops.get('stale') === 1, 'two replays and one stale drop');
    expect(svc.traffic.messagesIn.get('ping')).toBe(1);
  });
});
