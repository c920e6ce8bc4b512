import { describe, expect, it } from 'vitest';
import { PROFILES, type MembershipConfig } from '../../../src/core/membership/config.js';
import { Membership, type Output } from '../../../src/core/membership/membership.js';
import { MsgType, type Ack, type Alive, type IndirectPing, type Load, type Nack, type PacketMessage, type Ping, type Suspect } from '../../../src/core/membership/messages.js';
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

/** Ticks `m` at every deadline in [from, until], collecting the outputs (with their times) until `stop` says so. */
function ticks(m: Membership, from: number, until: number, stop: (out: Output) => boolean = () => false): { t: number; out: Output }[] {
  const outs: { t: number; out: Output }[] = [];
  for (let t = Math.max(from, m.nextDeadline()); t <= until; t = Math.max(t + 1, m.nextDeadline())) {
    const out = m.tick(t);
    outs.push({ t, out });
    if (stop(out)) break;
  }
  return outs;
}

function runTicks(m: Membership, from: number, until: number): Output[] {
  return ticks(m, from, until).map((x) => x.out);
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
    b.receive(ADDR.a, [loadFrom(runTicks(a, 50, 700))], 700);
    expect(b.member('a')?.load?.seq).toBe(5);
    // An hour later a restarts with no state (same id, address and metadata) and reports its load.
    const later = 3_600_000;
    const a2 = member('a', later);
    a2.receive(ADDR.b, [alive('b', 0)], later);
    a2.updateLoad({ cpu: 77, lagMs: 0 }, later);
    b.receive(ADDR.a, [loadFrom(runTicks(a2, later, later + 600))], later + 600);
    expect(b.member('a')?.load?.cpu).toBe(77);
  });
});

describe('probes', () => {
  it("every probe of a suspect carries the suspicion (Lifeguard's buddy system)", () => {
    const { a } = cluster(['a', 'b', 'c']) as { a: Membership };
    a.receive(ADDR.b, [suspect('c', 0, 'b')], 0);
    // c answers every ping (it never heard of the suspicion); every ping to c must tell it that it is suspected.
    const pingsToC: Output['packets'][number][] = [];
    // With three members no confirmation can come, so the suspicion lasts its minimum, 2 s (lan).
    for (let t = Math.max(1, a.nextDeadline()); t < 2000; t = Math.max(t + 1, a.nextDeadline())) {
      for (const p of a.tick(t).packets) {
        const ping = p.messages.find((m): m is Ping => m.type === MsgType.Ping && m.target === 'c');
        if (ping === undefined) continue;
        pingsToC.push(p);
        a.receive(ADDR.c, [{ type: MsgType.Ack, seq: ping.seq, from: 'c' }], t);
      }
    }
    expect(stateOf(a, 'c')).toBe('suspect');
    expect(pingsToC.length).toBeGreaterThan(0);
    for (const p of pingsToC) expect(p.messages).toContainEqual({ type: MsgType.Suspect, id: 'c', incarnation: 0, from: expect.any(String) as unknown });
  });

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

  it('an indirect ping sends a nack to the asker when the target does not answer within 80% of the probe timeout', () => {
    const { b } = cluster(['a', 'b', 'c']) as { b: Membership };
    b.receive(ADDR.a, [indirect(true)], 10);
    const nackAt = 10 + Math.floor(CONFIG.probeTimeoutMs * 0.8);
    expect(runTicks(b, 10, nackAt - 1).flatMap((o) => sent<Nack>(o, MsgType.Nack))).toEqual([]);
    const nacks = sent<Nack>(b.tick(nackAt), MsgType.Nack);
    expect(nacks).toEqual([{ to: ADDR.a, message: { type: MsgType.Nack, seq: 77, from: 'b' } }]);
  });

  it('an indirect ping that does not ask for a nack gets none', () => {
    const { b } = cluster(['a', 'b', 'c']) as { b: Membership };
    b.receive(ADDR.a, [indirect(false)], 10);
    expect(runTicks(b, 10, 2000).flatMap((o) => sent<Nack>(o, MsgType.Nack))).toEqual([]);
  });
});

describe('Lifeguard local health', () => {
  /** Ticks `m` until it starts a probe; returns the time and the ping. */
  function nextProbe(m: Membership, from: number): { t: number; ping: { to: Address; message: Ping } } {
    const isProbe = (out: Output): boolean => sent<Ping>(out, MsgType.Ping).length > 0;
    const last = ticks(m, from, from + 10_000, isProbe).at(-1);
    const ping = last && sent<Ping>(last.out, MsgType.Ping)[0];
    if (last === undefined || ping === undefined) throw new Error('no probe started');
    return { t: last.t, ping };
  }

  it('a probe with neither ack nor nacks raises health by the nacks missing, which stretches the probe timeout and interval', () => {
    const { a } = cluster(['a', 'b', 'c', 'd', 'e']) as { a: Membership };
    const { t } = nextProbe(a, 0);
    const indirect = ticks(a, t + 1, t + CONFIG.probeTimeoutMs).flatMap((x) => sent<IndirectPing>(x.out, MsgType.IndirectPing).map(() => x.t));
    expect(indirect).toEqual([t + CONFIG.probeTimeoutMs, t + CONFIG.probeTimeoutMs, t + CONFIG.probeTimeoutMs]);
    const second = nextProbe(a, t + CONFIG.probeTimeoutMs + 1);
    expect(second.t).toBe(t + CONFIG.probeIntervalMs);
    expect(a.health).toBe(3);
    // Health 3 multiplies the timeouts by 4: indirect probes only after 4 probe timeouts, the next probe after 4 intervals.
    const after = ticks(a, second.t + 1, second.t + 4 * CONFIG.probeIntervalMs);
    const indirectAt = after.find((x) => sent<IndirectPing>(x.out, MsgType.IndirectPing).length > 0)?.t;
    const nextPingAt = after.find((x) => sent<Ping>(x.out, MsgType.Ping).length > 0)?.t;
    expect(indirectAt).toBe(second.t + 4 * CONFIG.probeTimeoutMs);
    expect(nextPingAt).toBe(second.t + 4 * CONFIG.probeIntervalMs);
  });

  it('each nack received in time spares the prober one point of health', () => {
    const { a } = cluster(['a', 'b', 'c', 'd', 'e']) as { a: Membership };
    const { t, ping } = nextProbe(a, 0);
    const helpers = a.tick(t + CONFIG.probeTimeoutMs);
    const asks = sent<IndirectPing>(helpers, MsgType.IndirectPing);
    expect(asks).toHaveLength(3);
    for (const ask of asks.slice(0, 2)) a.receive(ask.to, [{ type: MsgType.Nack, seq: ping.message.seq, from: 'x' }], t + CONFIG.probeTimeoutMs + 10);
    a.tick(t + CONFIG.probeIntervalMs);
    expect(a.health).toBe(1);
  });

  it('a clean direct probe lowers health again', () => {
    const { a } = cluster(['a', 'b', 'c', 'd', 'e']) as { a: Membership };
    const first = nextProbe(a, 0);
    ticks(a, first.t + 1, first.t + CONFIG.probeIntervalMs - 1);
    const second = nextProbe(a, first.t + CONFIG.probeIntervalMs);
    expect(a.health).toBe(3);
    a.receive(second.ping.to, [{ type: MsgType.Ack, seq: second.ping.message.seq, from: second.ping.message.target }], second.t + 1);
    nextProbe(a, second.t + 2);
    expect(a.health).toBe(2);
  });

  it("a healthy prober hears its helpers' nacks (1 ms away) before its probe round ends, and keeps its health", () => {
    const ms = cluster(['a', 'b', 'c', 'd', 'e']);
    const a = ms.a as Membership;
    const { t, ping } = nextProbe(a, 0);
    const tIndirect = t + CONFIG.probeTimeoutMs;
    const asks = sent<IndirectPing>(a.tick(tIndirect), MsgType.IndirectPing);
    const end = t + CONFIG.probeIntervalMs;
    // Each helper gets the request 1 ms later, probes the (crashed) target in vain, and nacks; the nack takes 1 ms back.
    const nacks = asks.map((ask) => {
      const helper = Object.values(ms).find((m) => m.member(m.id)?.addr.host === ask.to.host) as Membership;
      helper.receive(ADDR.a, [ask.message], tIndirect + 1);
      const nacked = ticks(helper, tIndirect + 1, tIndirect + 10_000, (out) => sent<Nack>(out, MsgType.Nack).length > 0).at(-1);
      return { at: (nacked?.t ?? Infinity) + 1, message: sent<Nack>(nacked?.out ?? { packets: [], exchanges: [], events: [] }, MsgType.Nack)[0]?.message as Nack };
    });
    expect(nacks.map((n) => n.message.seq)).toEqual([ping.message.seq, ping.message.seq, ping.message.seq]);
    for (const n of nacks.filter((x) => x.at < end)) a.receive(addr(9), [n.message], n.at);
    ticks(a, tIndirect + 1, end);
    expect(a.health).toBe(0);
  });
});

describe('leaving', () => {
  it('after leaving, a member asks for no tick in the past (a runtime would spin)', () => {
    const { a } = cluster(['a', 'b', 'c']) as { a: Membership };
    a.leave(100);
    a.tick(5000);
    expect(a.nextDeadline()).toBeGreaterThan(5000);
  });

  it('a leaving member tells others it left, at its current incarnation', () => {
    const { a, b } = cluster(['a', 'b', 'c']) as { a: Membership; b: Membership };
    const out = a.leave(100);
    const leaves = out.packets.flatMap((p) => p.messages).filter((m) => m.type === MsgType.Dead && m.id === 'a' && m.left);
    expect(leaves.length).toBeGreaterThan(0);
    b.receive(ADDR.a, [leaves[0] as PacketMessage], 101);
    expect(stateOf(b, 'a')).toBe('left');
    expect(stateOf(a, 'a')).toBe('left');
  });
});

describe('a running suspicion', () => {
  it('makes the suspecter ask the suspect directly, halfway through the time left, until the refutation reaches it', () => {
    // No gossip rounds, so every packet to c is a probe or an ask.
    const { a } = cluster(['a', 'b', 'c'], { ...CONFIG, gossipIntervalMs: 1e9 }) as { a: Membership };
    a.receive(ADDR.b, [suspect('c', 0, 'b')], 0);
    // Three members: the suspicion lasts its minimum, 2 s (lan). Asks at half of it, then halfway
    // through the time left but at most once a probe interval (0.5 s). Probes of c carry the suspicion too, beside a ping.
    const isAsk = (p: Output['packets'][number]): boolean => p.to === ADDR.c && p.messages[0]?.type === MsgType.Suspect && !p.messages.some((m) => m.type === MsgType.Ping);
    const asks = ticks(a, 1, 1998)
      .filter(({ out }) => out.packets.some(isAsk))
      .map(({ t }) => t);
    expect(asks).toEqual([1000, 1500]);
    // The suspect's direct answer ends the suspicion: nothing more is asked about it.
    a.receive(ADDR.c, [alive('c', 1)], 1999);
    expect(stateOf(a, 'c')).toBe('alive');
    expect(ticks(a, 2000, 6000).flatMap(({ out }) => sent<Suspect>(out, MsgType.Suspect).filter((s) => s.message.id === 'c' && s.message.incarnation === 0))).toEqual([]);
  });
});

describe('what a member counts and remembers', () => {
  it('records when a member was last heard directly, and counts probes, suspicions and refutes', () => {
    const { a } = cluster(['a', 'b']) as { a: Membership };
    expect(a.member('b')?.heardAt).toBe(0); // the join's push-pull
    a.receive(ADDR.b, [{ type: MsgType.Ping, seq: 1, target: 'a', from: 'b', fromAddr: ADDR.b }], 42);
    expect(a.member('b')?.heardAt).toBe(42);
    a.receive(ADDR.b, [suspect('a', 0, 'b')], 50);
    // b never answers from here on: a suspects it once (later failed probes only confirm), then declares it dead.
    runTicks(a, 51, 5000);
    expect(stateOf(a, 'b')).toBe('dead');
    expect(a.stats).toMatchObject({ refutes: 1, suspicions: 1 });
    expect(a.stats.probes).toBeGreaterThan(1);
    expect(a.stats.indirectProbes).toBe(0); // nobody to ask
  });
});
