import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { SimClock } from './clock.js';
import { EventQueue } from '../../src/core/event-queue.js';
import { SimNetwork, type LinkConditions } from './network.js';

// The simulator's own promises: ordered virtual time, and a network whose every decision comes from its seed.

describe('event queue and virtual clock', () => {
  it('returns items in time order, and items due at the same time in the order they were pushed', () => {
    const q = new EventQueue<string>();
    [5, 1, 5, 3, 1, 5].forEach((at, i) => q.push(at, `${at}:${i}`));
    const out: string[] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.item);
    expect(out).toEqual(['1:1', '1:4', '3:3', '5:0', '5:2', '5:5']);
  });

  it('runs actions at their time, never before, and moves time only forward', () => {
    const clock = new SimClock();
    const seen: [string, number][] = [];
    clock.at(10, () => seen.push(['a', clock.now]));
    clock.at(5, () => {
      seen.push(['b', clock.now]);
      clock.at(1, () => seen.push(['late', clock.now]));
    });
    clock.runUntil(7);
    expect(clock.now).toBe(7);
    clock.runUntil(20);
    expect(seen).toEqual([
      ['b', 5],
      ['late', 5],
      ['a', 10],
    ]);
    expect(clock.now).toBe(20);
  });
});

/** Sends `count` unreliable messages a -> b and returns what arrived, in arrival order, with times. */
function trial(seed: number, conditions: Partial<LinkConditions>, count: number): { arrived: [number, number][]; net: SimNetwork<number> } {
  const clock = new SimClock();
  const net = new SimNetwork<number>(clock, seededRng(seed), { conditions, sizeOf: () => 100 });
  const arrived: [number, number][] = [];
  net.attach('b', (_from, m) => arrived.push([m, clock.now]));
  for (let i = 0; i < count; i++) net.send('a', 'b', i);
  clock.runUntil(1e9);
  return { arrived, net };
}

describe('simulated network', () => {
  it('makes the same decisions for the same seed, and different ones for another seed', () => {
    const conditions = { loss: 0.2, duplicate: 0.1, delay: { baseMs: 1, jitterMs: 5, jitter: 'exponential' as const } };
    expect(trial(7, conditions, 200).arrived).toEqual(trial(7, conditions, 200).arrived);
    expect(trial(8, conditions, 200).arrived).not.toEqual(trial(7, conditions, 200).arrived);
  });

  it('loses about the configured share of messages and counts them', () => {
    const { arrived, net } = trial(1, { loss: 0.3 }, 10_000);
    expect(arrived.length).toBeGreaterThan(6700);
    expect(arrived.length).toBeLessThan(7300);
    expect(net.stats.dropped.loss + net.stats.delivered).toBe(10_000);
    expect(net.stats.bytesSent).toBe(1_000_000);
    expect(net.stats.bytesDelivered).toBe(arrived.length * 100);
  });

  it('duplicates about the configured share of messages', () => {
    const { arrived, net } = trial(2, { duplicate: 0.1 }, 10_000);
    expect(net.stats.duplicated).toBeGreaterThan(900);
    expect(net.stats.duplicated).toBeLessThan(1100);
    expect(arrived.length).toBe(10_000 + net.stats.duplicated);
  });

  it('reorders messages through delay jitter, and keeps order without it', () => {
    const inOrder = (a: [number, number][]): boolean => a.every(([m], i) => i === 0 || m > (a[i - 1] as [number, number])[0]);
    expect(inOrder(trial(3, { delay: { baseMs: 1, jitterMs: 0, jitter: 'uniform' } }, 100).arrived)).toBe(true);
    expect(inOrder(trial(3, { delay: { baseMs: 1, jitterMs: 10, jitter: 'uniform' } }, 100).arrived)).toBe(false);
  });

  it('delays uniformly within [base, base + jitter]', () => {
    const { arrived } = trial(4, { delay: { baseMs: 2, jitterMs: 3, jitter: 'uniform' } }, 1000);
    expect(Math.min(...arrived.map(([, t]) => t))).toBeGreaterThanOrEqual(2);
    expect(Math.max(...arrived.map(([, t]) => t))).toBeLessThanOrEqual(5);
  });

  it('drops everything across a partition, messages in flight included, until heal', () => {
    const clock = new SimClock();
    const net = new SimNetwork<string>(clock, seededRng(1), { conditions: { delay: { baseMs: 10, jitterMs: 0, jitter: 'uniform' } } });
    const got: string[] = [];
    for (const id of ['a', 'b', 'c']) net.attach(id, (from, m) => got.push(`${from}>${id}:${m}`));
    net.send('a', 'b', 'in-flight');
    clock.runUntil(5);
    net.partition(['a'], ['b']);
    net.send('a', 'b', 'cut');
    net.send('a', 'c', 'c-is-in-no-group');
    net.sendReliable('b', 'a', 'tcp-cut');
    clock.runUntil(100);
    expect(got).toEqual(['a>c:c-is-in-no-group']);
    expect(net.stats.dropped.partition).toBe(3);
    net.heal();
    net.isolate('c');
    net.send('a', 'b', 'healed');
    net.send('a', 'c', 'isolated');
    clock.runUntil(200);
    expect(got).toEqual(['a>c:c-is-in-no-group', 'a>b:healed']);
  });

  it('delivers reliable messages despite loss, and reports a send to a detached endpoint as failed', () => {
    const clock = new SimClock();
    const net = new SimNetwork<string>(clock, seededRng(1), { conditions: { loss: 1 } });
    const got: string[] = [];
    const failed: string[] = [];
    net.attach('b', (_from, m) => got.push(m));
    net.sendReliable('a', 'b', 'tcp');
    net.send('a', 'b', 'udp');
    net.sendReliable('a', 'nobody', 'x', (cause) => failed.push(cause));
    clock.runUntil(100);
    expect(got).toEqual(['tcp']);
    expect(failed).toEqual(['down']);
  });

  it('applies per-link, outbound and inbound conditions', () => {
    const clock = new SimClock();
    const net = new SimNetwork<number>(clock, seededRng(1));
    net.setOutbound('a', { loss: 0.5 });
    net.setInbound('b', { loss: 0.5 });
    expect(net.conditions('a', 'b').loss).toBeCloseTo(0.75);
    expect(net.conditions('c', 'd').loss).toBe(0);
    net.setLink('a', 'b', { loss: 0 });
    expect(net.conditions('a', 'b').loss).toBe(0);
    net.setLink('a', 'b', undefined);
    net.setOutbound('a', undefined);
    expect(net.conditions('a', 'b').loss).toBeCloseTo(0.5);
  });
});
