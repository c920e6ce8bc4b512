import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../src/core/membership/config.js';
import { INCARNATION_CEILING, MAX_INCARNATION_RISE, NEW_MEMBER_CEILING, REFUTE_STEP, RISE_WINDOW_MS, boundIncarnation } from '../../../src/core/membership/incarnation.js';
import { Membership, type Output } from '../../../src/core/membership/membership.js';
import { MsgType, type Alive, type PacketMessage } from '../../../src/core/membership/messages.js';
import type { Address, MemberMeta } from '../../../src/core/membership/types.js';
import { seededRng } from '../../../src/core/rng.js';

// The rules of docs/protocol.md, "Incarnation bounds": one forged claim can
// neither take a member's incarnation out of its reach nor lock it out.

const META: MemberMeta = { roles: [], services: {}, tags: {}, version: 'test' };
const addr = (n: number): Address => ({ host: `10.0.0.${n}`, port: 7946 });
const ADDR: Readonly<Record<string, Address>> = { a: addr(1), b: addr(2), c: addr(3) };
const EVIL = addr(66);
const TOP = 0xffffffff;

function member(id: string, now = 0): Membership {
  return new Membership({ id, addr: ADDR[id] as Address, meta: META, config: PROFILES.lan, rng: seededRng(id.charCodeAt(0)), now });
}

/** Members a, b, c that know each other alive at incarnation 0. */
function trio(): { a: Membership; b: Membership; c: Membership } {
  const ms = { a: member('a'), b: member('b'), c: member('c') };
  for (const x of Object.values(ms)) for (const y of Object.values(ms)) if (x !== y) x.receive(ADDR[y.id] as Address, [alive(y.id, 0)], 0);
  return ms;
}

const alive = (id: string, incarnation: number, at: Address = ADDR[id] as Address): Alive => ({ type: MsgType.Alive, id, incarnation, addr: at, meta: META });
const suspect = (id: string, incarnation: number): PacketMessage => ({ type: MsgType.Suspect, id, incarnation, from: 'mallory' });
const dead = (id: string, incarnation: number, left = false): PacketMessage => ({ type: MsgType.Dead, id, incarnation, from: left ? id : 'mallory', left });
const aliveSent = (out: Output): Alive[] => out.packets.flatMap((p) => p.messages.filter((m): m is Alive => m.type === MsgType.Alive));

describe('boundIncarnation', () => {
  it('refuses every claim above the ceiling, known member or not', () => {
    for (const claimed of [TOP, TOP - 1, 2 ** 31, INCARNATION_CEILING + 1]) {
      expect(boundIncarnation(claimed, undefined)).toEqual({ refused: true });
      expect(boundIncarnation(claimed, INCARNATION_CEILING)).toEqual({ refused: true });
    }
  });

  it('believes a claim about a known member only up to known + the largest rise', () => {
    expect(boundIncarnation(7 + MAX_INCARNATION_RISE, 7)).toEqual({ refused: false, incarnation: 7 + MAX_INCARNATION_RISE, bounded: false });
    expect(boundIncarnation(7 + 2 ** 20, 7)).toEqual({ refused: false, incarnation: 7 + MAX_INCARNATION_RISE, bounded: true });
    expect(boundIncarnation(INCARNATION_CEILING, INCARNATION_CEILING - 1)).toEqual({ refused: false, incarnation: INCARNATION_CEILING, bounded: false });
  });

  it('believes a claim about a member first heard of only up to the new-member ceiling', () => {
    expect(boundIncarnation(NEW_MEMBER_CEILING, undefined)).toMatchObject({ incarnation: NEW_MEMBER_CEILING, bounded: false });
    expect(boundIncarnation(NEW_MEMBER_CEILING + 1, undefined)).toMatchObject({ incarnation: NEW_MEMBER_CEILING, bounded: true });
  });
});

describe('a forged claim about another member', () => {
  it('is refused above the ceiling: Dead, Left, Suspect and Alive at 0xFFFFFFFF change nothing and are counted', () => {
    const { b } = trio();
    b.receive(EVIL, [dead('c', TOP), dead('c', TOP, true), suspect('c', TOP), alive('c', TOP, EVIL)], 10);
    expect(b.member('c')).toMatchObject({ state: 'alive', incarnation: 0, addr: ADDR.c });
    expect(b.stats.claimsRefused).toBe(4);
  });

  it('rising implausibly far is believed only up to the bound, so the member refutes it with the next number', () => {
    const { b, c } = trio();
    b.receive(EVIL, [dead('c', 2 ** 20)], 10);
    expect(b.member('c')).toMatchObject({ state: 'dead', incarnation: MAX_INCARNATION_RISE });
    expect(b.stats.claimsBounded).toBe(1);
    // c hears the bounded rumour from b's gossip and refutes above it; b believes the refutation.
    const rumour = b.tick(500).packets.flatMap((p) => p.messages).find((m) => m.type === MsgType.Dead);
    expect(rumour).toMatchObject({ id: 'c', incarnation: MAX_INCARNATION_RISE });
    const [refutation] = aliveSent(c.receive(ADDR.b as Address, [rumour as PacketMessage], 20));
    expect(refutation).toMatchObject({ id: 'c', incarnation: MAX_INCARNATION_RISE + 1 });
    b.receive(ADDR.c as Address, [refutation as Alive], 30);
    expect(b.member('c')).toMatchObject({ state: 'alive', incarnation: MAX_INCARNATION_RISE + 1, addr: ADDR.c });
  });

  it('about a member never heard of is believed only up to the new-member ceiling', () => {
    const b = member('b');
    b.receive(EVIL, [alive('ghost', INCARNATION_CEILING, EVIL)], 10);
    expect(b.member('ghost')?.incarnation).toBe(NEW_MEMBER_CEILING);
  });
});

describe('a forged claim about this member', () => {
  it('above the ceiling is not refuted (no climb to the top) but answered with our Alive', () => {
    const { a } = trio();
    const out = a.receive(EVIL, [dead('a', TOP), suspect('a', TOP - 1)], 10);
    expect(a.member('a')).toMatchObject({ state: 'alive', incarnation: 0 });
    expect(aliveSent(out).filter((m) => m.id === 'a')).toContainEqual(expect.objectContaining({ incarnation: 0 }));
    expect(a.stats).toMatchObject({ claimsRefused: 2, refutes: 0 });
  });

  it('at the ceiling is refuted at the ceiling, which a member holding less still believes', () => {
    const { a, b } = trio();
    a.receive(EVIL, [suspect('a', INCARNATION_CEILING)], 10);
    expect(a.member('a')?.incarnation).toBe(INCARNATION_CEILING);
    b.receive(EVIL, [dead('a', 5)], 20);
    b.receive(ADDR.a as Address, [alive('a', INCARNATION_CEILING)], 30);
    // One rise within the window, counted from where b knew a when it began (0).
    expect(b.member('a')).toMatchObject({ state: 'alive', incarnation: MAX_INCARNATION_RISE });
  });

  it('many claims within one window add up to one rise, plus REFUTE_STEP each past it', () => {
    const { b } = trio();
    const claims = [1, 2, 3, 4].map((k) => alive('a', k * MAX_INCARNATION_RISE));
    b.receive(EVIL, claims, 10);
    expect(b.member('a')?.incarnation).toBe(MAX_INCARNATION_RISE + 3 * REFUTE_STEP);
    b.receive(EVIL, [alive('a', 9 * MAX_INCARNATION_RISE)], 10 + RISE_WINDOW_MS);
    expect(b.member('a')?.incarnation).toBe(2 * MAX_INCARNATION_RISE + 3 * REFUTE_STEP);
  });

  it('a restarted member (incarnation 0) still outbids what others knew of its earlier life', () => {
    const { b } = trio();
    b.receive(ADDR.a as Address, [alive('a', 40)], 10);
    const a2 = member('a', 1000);
    const refutations = aliveSent(a2.receive(ADDR.b as Address, [dead('a', 40)], 1000));
    expect(a2.member('a')?.incarnation).toBe(41);
    b.receive(ADDR.a as Address, [dead('a', 40)], 1001);
    for (const r of refutations) b.receive(ADDR.a as Address, [r], 1002);
    b.receive(ADDR.a as Address, [alive('a', 41)], 1003);
    expect(b.member('a')).toMatchObject({ state: 'alive', incarnation: 41 });
  });
});

describe('a forged Load', () => {
  it('with a seq far ahead of our clock is refused, so later true loads are still heard', () => {
    const { b } = trio();
    const load = (seq: number, cpu: number): PacketMessage => ({ type: MsgType.Load, id: 'a', seq, cpu, lagMs: 0 });
    b.receive(EVIL, [load(TOP, 99)], 10_000);
    expect(b.stats.claimsRefused).toBe(1);
    b.receive(ADDR.a as Address, [load(12, 5)], 12_000);
    expect(b.member('a')?.load).toMatchObject({ cpu: 5, seq: 12 });
  });
});
