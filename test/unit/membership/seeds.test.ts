import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { Backoff, resolveSeeds, type Lookup } from '../../../src/runtime/membership/seeds.js';

/** A resolver over a table; a host missing from it fails like getaddrinfo. Records every name asked. */
function fakeDns(table: Record<string, LookupAddress[]>): { lookup: Lookup; asked: string[] } {
  const asked: string[] = [];
  const lookup: Lookup = (hostname) => {
    asked.push(hostname);
    const found = table[hostname];
    if (found === undefined) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(found);
  };
  return { lookup, asked };
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

describe('seed resolution', () => {
  it('resolves every seed to the first address the resolver gives, keeping id and port', async () => {
    const { lookup } = fakeDns({ 'node1.lan': [v4('10.0.0.1'), v4('10.0.0.9')], 'node2.lan': [v6('fd00::2'), v4('10.0.0.2')] });
    const seeds = [
      { id: 'node1', host: 'node1.lan', port: 7946 },
      { id: 'node2', host: 'node2.lan', port: 7000 },
    ];
    expect(await resolveSeeds(seeds, lookup)).toEqual({
      resolved: [
        { id: 'node1', host: '10.0.0.1', port: 7946 },
        { id: 'node2', host: 'fd00::2', port: 7000 },
      ],
      failed: [],
    });
  });

  it('a seed that does not resolve is reported with its error, and the others still resolve', async () => {
    const { lookup } = fakeDns({ 'node1.lan': [v4('10.0.0.1')] });
    const seeds = [
      { id: 'node1', host: 'node1.lan', port: 7946 },
      { id: 'node3', host: 'gone.lan', port: 7946 },
    ];
    expect(await resolveSeeds(seeds, lookup)).toEqual({
      resolved: [{ id: 'node1', host: '10.0.0.1', port: 7946 }],
      failed: [{ id: 'node3', host: 'gone.lan', error: 'getaddrinfo ENOTFOUND gone.lan' }],
    });
  });

  it('every call asks the resolver again, so a changed address is picked up', async () => {
    const table = { 'node1.lan': [v4('10.0.0.1')] };
    const { lookup, asked } = fakeDns(table);
    const seeds = [{ id: 'node1', host: 'node1.lan', port: 7946 }];
    expect((await resolveSeeds(seeds, lookup)).resolved[0]?.host).toBe('10.0.0.1');
    table['node1.lan'] = [v4('10.0.0.77')];
    expect((await resolveSeeds(seeds, lookup)).resolved[0]?.host).toBe('10.0.0.77');
    expect(asked).toEqual(['node1.lan', 'node1.lan']);
  });

  it('with a family asked for, the first address of that family is taken, and a host without one fails', async () => {
    const { lookup } = fakeDns({ 'dual.lan': [v6('fd00::5'), v4('10.0.0.5')], 'v6only.lan': [v6('fd00::6')] });
    const seeds = [
      { id: 'dual', host: 'dual.lan', port: 1 },
      { id: 'v6only', host: 'v6only.lan', port: 1 },
    ];
    expect(await resolveSeeds(seeds, lookup, { family: 4 })).toEqual({
      resolved: [{ id: 'dual', host: '10.0.0.5', port: 1 }],
      failed: [{ id: 'v6only', host: 'v6only.lan', error: 'no IPv4 address (found: fd00::6)' }],
    });
  });

  it('no seeds resolve to nothing without asking the resolver', async () => {
    const { lookup, asked } = fakeDns({});
    expect(await resolveSeeds([], lookup)).toEqual({ resolved: [], failed: [] });
    expect(asked).toEqual([]);
  });
});

describe('backoff with full jitter', () => {
  it('the ceiling doubles from baseMs up to maxMs, and each delay is random below it', () => {
    const top = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect(Array.from({ length: 7 }, () => top.next())).toEqual([99, 199, 399, 799, 999, 999, 999]);
    const half = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.5 });
    expect(Array.from({ length: 5 }, () => half.next())).toEqual([50, 100, 200, 400, 500]);
    const zero = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    expect(Array.from({ length: 3 }, () => zero.next())).toEqual([0, 0, 0]);
  });

  it('reset starts again from the base ceiling', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(99);
  });

  it('thousands of retries never overflow the ceiling', () => {
    const b = new Backoff({ baseMs: 1, maxMs: 30_000, random: () => 0.999999 });
    let last = 0;
    for (let i = 0; i < 5000; i++) last = b.next();
    expect(last).toBe(29_999);
  });

  it('refuses a non-positive base and a max below the base', () => {
    expect(() => new Backoff({ baseMs: 0, maxMs: 10, random: Math.random })).toThrow('backoff baseMs (0) must be a positive number');
    expect(() => new Backoff({ baseMs: 100, maxMs: 10, random: Math.random })).toThrow('backoff maxMs (10) must be at least baseMs (100)');
  });
});
