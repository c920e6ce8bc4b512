import { describe, expect, it } from 'vitest';
import { PROFILES, type MembershipConfig } from '../../../src/core/membership/config.js';
import { Membership, type Output } from '../../../src/core/membership/membership.js';
import { MsgType, type Ack, type Alive, type IndirectPing, type Load, type Nack, type PacketMessage, type Ping } from '../../../src/core/membership/messages.js';
import type { Address, MemberMeta } from '../../../src/core/membership/types.js';
import { seededRng } from '../../../src/core/rng.js';

// Hand-driven members: nothing moves unless a test delivers it. Time is explicit.

const CONFIG: MembershipConfig = PROFILES.lan;
const META: MemberMeta = { roles: [], services: {}, tags: {}, version: 'test' };
const addr = (n: number): Address => ({ host: `10.0.0.${n}`, port: 7946 });
const ADDR = { a: addr(1), b: addr(2), c: addr(3), d: addr(4), e: addr(5) } as const;
type Name = keyof typeof ADDR;

function member(name: Name, now = 0, config: MembershipConfig = CONFIG): Membership {
  return new Membership({ id: name, addr: ADDR[name], meta: META, config, rng: seededRng(name.charCodeAt(0)), now });
}

/** Members that all know each other alive at incarnation 0 (full push-pull between every pair). */
function cluster(names: readonly Name[], config: MembershipConfig = CONFIG): Record<string, Membership> {
  const ms: Record<string, Membership> = {};
  for (const n of names) ms[n] = member(n, 0, config);
  for (const x of names) {
    for (const y of names) {
      if (x === y) continue;
      const [ex] = (ms[x] as Membership).join([ADDR[y]]).exchanges;
      const { reply } = (ms[y] as Membership).receivePushPull((ex as Output['exchanges'][number]).message, 0);
      (ms[x] as Membership).receivePushPullReply(reply, 0);
    }
  }
  return ms;
}

const alive = (id: Name, incarnation: number, over: Partial<Alive> = {}): Alive => ({ type: MsgType.Alive, id, incarnation, addr: ADDR[id], meta: META, ...over });
const suspect = (id: string, incarnation: number, from: string): PacketMessage => ({ type: MsgType.Suspect, id, incarnation, from });
const dead = (id: string, incarnation: number, from: string, left = false): PacketMessage => ({ type: MsgType.Dead, id, incarnation, from, left });

/** Every message of a given type in an output's packets, with its destination. */
function sent<T extends PacketMessage>(out: Output, type: T['type']): { to: Address; message: T }[] {
  return out.packets.flatMap((p) => p.messages.filter((m): m is T => m.type === type).map((message) => ({ to: p.to, message })));
}

/** Ticks `m` at every deadline up to `until`, collecting the outputs. */
function runTicks(m: Membership, from: number, until: number): Output[] {
  const outs: Output[] = [];
  for (let t = Math.max(from, m.nextDeadline()); t <= until; t = Math.max(t + 1, m.nextDeadline())) outs.push(m.tick(t));
  return outs;
}

const stateOf = (m: Membership, id: string): string | undefined => m.member(id)?.state;
const incarnationOf = (m: Membership, id: string): number | undefined => m.member(id)?.incarnation;

describe('incarnation numbers order the claims about a member', () => {
  it('a member refutes a suspicion of itself with an incarnation above the claim', () => {
    const { a } = cluster(['a', 'b']) as { a: Membership };
    a.receive(ADDR.b, [suspect('a', 5, 'b')], 100);
    expect(incarnationOf(a, 'a')).toBe(6);
    expect(stateOf(a, 'a')).toBe('alive');
    const refutations = runTicks(a, 100, 1000).flatMap((o) => sent<Alive>(o, MsgType.Alive));
    expect(refutations.map((r) => r.message.incarnation)).toContain(6);
  });

  it('a member refutes a claim that it is dead the same way', () => {
    const { a } = cluster(['a', 'b']) as { a: Membership };
    a.receive(ADDR.b, [dead('a', 3, 'b')], 100);
    expect(incarnationOf(a, 'a')).toBe(4);
  });

  it('a claim older than the incarnation known is ignored', () => {
    const { b } = cluster(['a', 'b', 'c']) as { b: Membership };
    b.receive(ADDR.a, [alive('c', 3)], 10);
    b.receive(ADDR.a, [suspect('c', 2, 'a'), dead('c', 2, 'a'), alive('c', 1, { addr: addr(99) })], 20);
    expect(b.member('c')).toMatchObject({ state: 'alive', incarnation: 3, addr: ADDR.c });
  });

  it('an alive claim with the same incarnation does not clear a suspicion', () => {
    const { b } = cluster(['a', 'b', 'c']) as { b: Membership };
    b.receive(ADDR.a, [suspect('c', 0, 'a')], 10);
    b.receive(ADDR.a, [alive('c', 0)], 20);
    expect(stateOf(b, 'c')).toBe('suspect');
    b.receive(ADDR.c, [alive('c', 1)], 30);
    expect(stateOf(b, 'c')).toBe('alive');
  });

  it('a dead member is revived only by a higher incarnation', () => {
    const { b } = cluster(['a', 'b', 'c']) as { b: Membership };
    b.receive(ADDR.a, [dead('c', 2, 'a')], 10);
    expect(stateOf(b, 'c')).toBe('dead');
    b.receive(ADDR.a, [alive('c', 2), suspect('c', 5, 'a')], 20);
    expect(stateOf(b, 'c')).toBe('dead');
    b.receive(ADDR.c, [alive('c', 3)], 30);
    expect(b.member('c')).toMatchObject({ state: 'alive', incarnation: 3 });
  });

  it('left is final until a higher incarnation: neither dead, suspect nor an equal alive changes it', () => {
    const { b } = cluster(['a', 'b', 'c']) as { b: Membership };
    b.receive(ADDR.c, [dead('c', 2, 'c', true)], 10);
    expect(stateOf(b, 'c')).toBe('left');
    b.receive(ADDR.a, [dead('c', 9, 'a'), suspect('c', 9, 'a'), alive('c', 2)], 20);
    expect(stateOf(b, 'c')).toBe('left');
    b.receive(ADDR.c, [alive('c', 3)], 30);
    expect(b.member('c')).toMatchObject({ state: 'alive', incarnation: 3 });
  });

  it('a member that was dead at the same incarnation can still be marked left', () => {
    const { b } = cluster(['a', 'b', 'c']) as { b: Membership };
    b.receive(ADDR.a, [dead('c', 1, 'a')], 10);
    b.receive(ADDR.a, [dead('c', 1, 'c', true)], 20);
    expect(stateOf(b, 'c')).toBe('left');
  });

  it('a claim at the highest incarnation the wire carries does not make the member throw', () => {
    const { a } = cluster(['a', 'b']) as { a: Membership };
    expect(() => a.receive(ADDR.b, [suspect('a', 0xffffffff, 'b')], 10)).not.toThrow();
    expect(() => runTicks(a, 10, 2000)).not.toThrow();
  });
});

describe('load travels apart from the incarnation', () => {
  function loadFrom(out: Output[]): Load {
    const load = out.flatMap((o) => sent<Load>(o, MsgType.Load))[0]?.message;
    if (load === undefined) throw new Error('no Load message was sent');
    return load;
  }

  it('updating the load does not bump the incarnation', () => {
    const { a } = cluster(['a', 'b']) as { a: Membership };
    a.updateLoad({ cpu: 50, lagMs: 2 }, 10);
    expect(incarnationOf(a, 'a')).toBe(0);
    expect(a.member('a')?.load).toMatchObject({ cpu: 50, lagMs: 2, seq: 1 });
  });

  it('a peer keeps the newest load and ignores an older or repeated seq', () => {
    const { a, b } = cluster(['a', 'b']) as { a: Membership; b: Membership };
    a.updateLoad({ cpu: 10, lagMs: 1 }, 10);
    const first = loadFrom(runTicks(a, 10, 600));
    a.updateLoad({ cpu: 90, lagMs: 9 }, 700);
    const second = loadFrom(runTicks(a, 700, 1300));
    b.receive(ADDR.a, [second], 1400);
    b.receive(ADDR.a, [first], 1500);
    b.receive(ADDR.a, [{ ...second, cpu: 1 }], 1600);
    expect(b.member('a')?.load).toMatchObject({ cpu: 90, lagMs: 9, seq: second.seq, heardAt: 1400 });
    expect(incarnationOf(b, 'a')).toBe(0);
  });

  it("a restarted member's load is heard again, though its load seq started over", () => {
    const { a, b } = cluster(['a', 'b']) as { a: Membership; b: Membership };
    for (let i = 1; i <= 5; i++) a.updateLoad({ cpu: i, lagMs: 0 }, i * 10);
    b.receive(ADDR.a, [loadFrom([a.tick(a.nextDeadline())])], 100);
    expect(b.member('a')?.load?.seq).toBe(5);
    // a restarts with no state; it learns its old incarnation from b and refutes it, then reports its load.
    const a2 = member('a', 1000);
    a2.receive(ADDR.b, [alive('a', 0, { meta: { ...META, version: 'old' } })], 1000);
    const refutation = runTicks(a2, 1000, 1500).flatMap((o) => sent<Alive>(o, MsgType.Alive))[0]?.message as Alive;
    b.receive(ADDR.a, [refutation], 1500);
    expect(incarnationOf(b, 'a')).toBe(1);
    a2.updateLoad({ cpu: 77, lagMs: 0 }, 1600);
    b.receive(ADDR.a, [loadFrom(runTicks(a2, 1600, 2200))], 2200);
    expect(b.member('a')?.load?.cpu).toBe(77);
  });
});

describe('probes', () => {
  it('a ping for another target is not acked; a ping for this member is, with its seq', () => {
    const { b } = cluster(['a', 'b']) as { b: Membership };
    const ping = (target: string, seq: number): Ping => ({ type: MsgType.Ping, seq, target, from: 'a', fromAddr: ADDR.a });
    expect(sent<Ack>(b.receive(ADDR.a, [ping('someone-else', 7)], 10), MsgType.Ack)).toEqual([]);
    const acks = sent<Ack>(b.receive(ADDR.a, [ping('b', 8)], 20), MsgType.Ack);
    expect(acks).toEqual([{ to: ADDR.a, message: { type: MsgType.Ack, seq: 8, from: 'b' } }]);
  });

  const indirect = (nack: boolean): IndirectPing => ({ type: MsgType.IndirectPing, seq: 77, target: 'c', targetAddr: ADDR.c, from: 'a', fromAddr: ADDR.a, nack });

  it("an indirect ping probes the target and relays its ack to the asker under the asker's seq", () => {
    const { b, c } = cluster(['a', 'b', 'c']) as { b: Membership; c: Membership };
    const [probe] = sent<Ping>(b.receive(ADDR.a, [indirect(true)], 10), MsgType.Ping);
    expect(probe).toMatchObject({ to: ADDR.c, message: { target: 'c', from: 'b' } });
    const [ack] = sent<Ack>(c.receive(ADDR.b, [(probe as { message: Ping }).message], 11), MsgType.Ack);
    const relayed = sent<Ack>(b.receive(ADDR.c, [(ack as { message: Ack }).message], 12), MsgType.Ack);
    expect(relayed).toEqual([{ to: ADDR.a, message: { type: MsgType.Ack, seq: 77, from: 'b' } }]);
    // No nack follows an ack.
    expect(runTicks(b, 12, 2000).flatMap((o) => sent<Nack>(o, MsgType.Nack))).toEqual([]);
  });

  it('an indirect ping sends a nack to the asker when the target does not answer within the probe timeout', () => {
    const { b } = cluster(['a', 'b', 'c']) as { b: Membership };
    b.receive(ADDR.a, [indirect(true)], 10);
    expect(runTicks(b, 10, 10 + CONFIG.probeTimeoutMs - 1).flatMap((o) => sent<Nack>(o, MsgType.Nack))).toEqual([]);
    const nacks = sent<Nack>(b.tick(10 + CONFIG.probeTimeoutMs), MsgType.Nack);
    expect(nacks).toEqual([{ to: ADDR.a, message: { type: MsgType.Nack, seq: 77, from: 'b' } }]);
  });

  it('an indirect ping that does not ask for a nack gets none', () => {
    const { b } = cluster(['a', 'b', 'c']) as { b: Membership };
    b.receive(ADDR.a, [indirect(false)], 10);
    expect(runTicks(b, 10, 2000).flatMap((o) => sent<Nack>(o, MsgType.Nack))).toEqual([]);
  });
});
