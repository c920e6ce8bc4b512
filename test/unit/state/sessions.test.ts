import { describe, expect, it } from 'vitest';
import { encodeKvCommand } from '../../../src/core/state/kv-codec.js';
import type { KvCommand } from '../../../src/core/state/kv-types.js';
import { KvMachine } from '../../../src/core/state/kv.js';
import { SessionTable } from '../../../src/core/state/sessions.js';

const put = (client: string, seq: number, value: number, cas?: number): KvCommand => ({
  type: 'put',
  key: 'k',
  value,
  ...(cas === undefined ? {} : { cas }),
  session: { client, seq },
});

describe('exactly-once through client sessions', () => {
  it('a retried command (same client, same seq) is applied once and answers the stored result again', () => {
    const machine = new KvMachine();
    const first = machine.apply(1, encodeKvCommand(put('c1', 1, 10)));
    machine.apply(2, encodeKvCommand({ type: 'put', key: 'k', value: 20 }));
    const retry = machine.apply(3, encodeKvCommand(put('c1', 1, 10)));
    expect(retry).toEqual({ ok: true, revision: 1 });
    expect(retry).toBe(first);
    expect(machine.read('k')).toEqual({ ok: true, revision: 2, value: 20 });
  });

  it('a retried cas that failed fails again the same way even when it would now succeed', () => {
    const machine = new KvMachine();
    machine.apply(1, encodeKvCommand({ type: 'put', key: 'k', value: 0 }));
    expect(machine.apply(2, encodeKvCommand(put('c1', 1, 5, 0)))).toEqual({ ok: false, revision: 1, error: 'cas-failed' });
    machine.apply(3, encodeKvCommand({ type: 'delete', key: 'k' }));
    expect(machine.apply(4, encodeKvCommand(put('c1', 1, 5, 0)))).toEqual({ ok: false, revision: 1, error: 'cas-failed' });
    expect(machine.read('k').ok).toBe(false);
  });

  it('an older seq than the last applied one is refused with stale-sequence and not applied', () => {
    const machine = new KvMachine();
    machine.apply(1, encodeKvCommand(put('c1', 2, 2)));
    const stale = machine.apply(2, encodeKvCommand(put('c1', 1, 1)));
    expect(stale).toMatchObject({ ok: false, revision: 0, error: 'stale-sequence' });
    expect(machine.read('k')).toEqual({ ok: true, revision: 1, value: 2 });
  });

  it('a later seq is applied even when seqs were skipped; clients do not affect each other', () => {
    const machine = new KvMachine();
    machine.apply(1, encodeKvCommand(put('c1', 1, 1)));
    machine.apply(2, encodeKvCommand(put('c2', 1, 2)));
    expect(machine.apply(3, encodeKvCommand(put('c1', 7, 3)))).toEqual({ ok: true, revision: 3 });
    expect(machine.apply(4, encodeKvCommand(put('c2', 2, 4)))).toEqual({ ok: true, revision: 4 });
  });

  it('a get with a session stores its answer too: its retry reads the old value', () => {
    const machine = new KvMachine();
    machine.apply(1, encodeKvCommand(put('w', 1, 1)));
    const get: KvCommand = { type: 'get', key: 'k', session: { client: 'r', seq: 1 } };
    machine.apply(2, encodeKvCommand(get));
    machine.apply(3, encodeKvCommand(put('w', 2, 2)));
    expect(machine.apply(4, encodeKvCommand(get))).toEqual({ ok: true, revision: 1, value: 1 });
  });

  it('commands without a session are applied every time', () => {
    const machine = new KvMachine();
    const bytes = encodeKvCommand({ type: 'put', key: 'k', value: 1 });
    machine.apply(1, bytes);
    expect(machine.apply(2, bytes)).toEqual({ ok: true, revision: 2 });
  });
});

describe('the session table is bounded and forgets the least recently used client by log index', () => {
  it('keeps at most maxSessions clients, forgetting the one with the lowest last index', () => {
    const machine = new KvMachine({ maxSessions: 2 });
    machine.apply(1, encodeKvCommand(put('a', 1, 1)));
    machine.apply(2, encodeKvCommand(put('b', 1, 2)));
    machine.apply(3, encodeKvCommand(put('a', 1, 1))); // a retry counts as use: b is now the oldest
    machine.apply(4, encodeKvCommand(put('c', 1, 3)));
    // a is remembered: its retry is not applied again.
    expect(machine.apply(5, encodeKvCommand(put('a', 1, 1)))).toEqual({ ok: true, revision: 1 });
    // b was forgotten: its retry applies again (the documented cost of the bound).
    expect(machine.apply(6, encodeKvCommand(put('b', 1, 2)))).toEqual({ ok: true, revision: 6 });
  });

  it('a stale command does not count as use', () => {
    const table = new SessionTable<string>(2);
    table.record('a', 2, 1, 'a2');
    table.record('b', 1, 2, 'b1');
    expect(table.verdict('a', 1)).toEqual({ status: 'stale', lastSeq: 2 });
    table.record('c', 1, 3, 'c1');
    expect(table.list().map((r) => r.client)).toEqual(['b', 'c']);
  });

  it('the default bound is 10 000 clients', () => {
    const table = new SessionTable<number>();
    for (let i = 1; i <= 10_001; i++) table.record(`c${i}`, 1, i, i);
    expect(table.size).toBe(10_000);
    expect(table.verdict('c1', 1)).toEqual({ status: 'new' });
    expect(table.verdict('c2', 1)).toEqual({ status: 'retry', result: 2 });
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new SessionTable(0)).toThrow(RangeError);
    expect(() => new KvMachine({ maxSessions: 1.5 })).toThrow(RangeError);
  });

  it('replace refuses records it could not have produced, and keeps the old ones', () => {
    const table = new SessionTable<number>(2);
    table.record('a', 1, 1, 1);
    expect(table.replace([{ client: 'x', seq: 1, lastIndex: 1, result: 0 }, { client: 'y', seq: 1, lastIndex: 2, result: 0 }, { client: 'z', seq: 1, lastIndex: 3, result: 0 }])).toMatch(/more than the limit/);
    expect(table.replace([{ client: 'x', seq: 1, lastIndex: 2, result: 0 }, { client: 'x', seq: 2, lastIndex: 3, result: 0 }])).toMatch(/two sessions/);
    expect(table.replace([{ client: 'x', seq: 1, lastIndex: 3, result: 0 }, { client: 'y', seq: 1, lastIndex: 2, result: 0 }])).toMatch(/increasing index order/);
    expect(table.list()).toEqual([{ client: 'a', seq: 1, lastIndex: 1, result: 1 }]);
  });
});
