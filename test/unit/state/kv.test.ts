import { describe, expect, it } from 'vitest';
import { encodeKvCommand } from '../../../src/core/state/kv-codec.js';
import type { JsonValue } from '../../../src/core/state/json.js';
import type { KvCommand, KvResult } from '../../../src/core/state/kv-types.js';
import { KvMachine } from '../../../src/core/state/kv.js';

/** A machine with `commands` applied at indexes 1, 2, 3, ...; returns it and the results. */
function run(commands: readonly KvCommand[]): { machine: KvMachine; results: ReturnType<KvMachine['apply']>[] } {
  const machine = new KvMachine();
  const results = commands.map((command, i) => machine.apply(i + 1, encodeKvCommand(command)));
  return { machine, results };
}

describe('put, get and delete', () => {
  it('a put stores the value at the revision of its log index; get returns both', () => {
    const { machine, results } = run([
      { type: 'put', key: 'a', value: { n: 1, tags: ['x'] } },
      { type: 'get', key: 'a' },
    ]);
    expect(results).toEqual([
      { ok: true, revision: 1 },
      { ok: true, revision: 1, value: { n: 1, tags: ['x'] } },
    ]);
    expect(machine.read('a')).toEqual({ ok: true, revision: 1, value: { n: 1, tags: ['x'] } });
  });

  it('stores any JSON value, null included', () => {
    const values: JsonValue[] = [null, true, 0, -1.5, 'text', [], {}, [1, [2, [3]]], { a: { b: null } }];
    const { machine } = run(values.map((value, i) => ({ type: 'put', key: `k${i}`, value })));
    values.forEach((value, i) => expect(machine.read(`k${i}`)).toEqual({ ok: true, revision: i + 1, value }));
  });

  it('each write moves the revision to its own index; other keys keep theirs', () => {
    const { machine } = run([
      { type: 'put', key: 'a', value: 1 },
      { type: 'put', key: 'b', value: 2 },
      { type: 'put', key: 'a', value: 3 },
    ]);
    expect(machine.read('a')).toEqual({ ok: true, revision: 3, value: 3 });
    expect(machine.read('b')).toEqual({ ok: true, revision: 2, value: 2 });
  });

  it('get and delete of an absent key are not-found with revision 0', () => {
    const { results } = run([
      { type: 'get', key: 'nope' },
      { type: 'delete', key: 'nope' },
    ]);
    expect(results).toEqual([
      { ok: false, revision: 0, error: 'not-found' },
      { ok: false, revision: 0, error: 'not-found' },
    ]);
  });

  it('a delete removes the key and answers with its own index', () => {
    const { machine, results } = run([
      { type: 'put', key: 'a', value: 1 },
      { type: 'delete', key: 'a' },
    ]);
    expect(results[1]).toEqual({ ok: true, revision: 2 });
    expect(machine.read('a')).toEqual({ ok: false, revision: 0, error: 'not-found' });
    expect(machine.size).toBe(0);
  });

  it('a read never lets the caller change the stored value', () => {
    const { machine } = run([{ type: 'put', key: 'a', value: { list: [1] } }]);
    const read = machine.read('a') as { value: { list: number[] } } & KvResult;
    expect(() => read.value.list.push(2)).toThrow(TypeError);
    expect(machine.read('a')).toEqual({ ok: true, revision: 1, value: { list: [1] } });
  });
});

describe('cas: the write happens only if the key is at the given revision (absent = 0)', () => {
  it('cas 0 creates a key that does not exist', () => {
    const { results } = run([{ type: 'put', key: 'a', value: 1, cas: 0 }]);
    expect(results).toEqual([{ ok: true, revision: 1 }]);
  });

  it('cas 0 fails on a key that exists, reporting its revision, and changes nothing', () => {
    const { machine, results } = run([
      { type: 'put', key: 'a', value: 1 },
      { type: 'put', key: 'a', value: 2, cas: 0 },
    ]);
    expect(results[1]).toEqual({ ok: false, revision: 1, error: 'cas-failed' });
    expect(machine.read('a')).toEqual({ ok: true, revision: 1, value: 1 });
  });

  it('cas r succeeds when the key is at revision r, and then only once', () => {
    const { results } = run([
      { type: 'put', key: 'a', value: 1 },
      { type: 'put', key: 'a', value: 2, cas: 1 },
      { type: 'put', key: 'a', value: 3, cas: 1 },
    ]);
    expect(results.slice(1)).toEqual([
      { ok: true, revision: 2 },
      { ok: false, revision: 2, error: 'cas-failed' },
    ]);
  });

  it('cas r on an absent key fails with revision 0', () => {
    const { results } = run([{ type: 'put', key: 'a', value: 1, cas: 5 }]);
    expect(results).toEqual([{ ok: false, revision: 0, error: 'cas-failed' }]);
  });

  it('a delete obeys cas the same way', () => {
    const { machine, results } = run([
      { type: 'put', key: 'a', value: 1 },
      { type: 'delete', key: 'a', cas: 7 },
      { type: 'delete', key: 'a', cas: 0 },
      { type: 'delete', key: 'a', cas: 1 },
    ]);
    expect(results.slice(1)).toEqual([
      { ok: false, revision: 1, error: 'cas-failed' },
      { ok: false, revision: 1, error: 'cas-failed' },
      { ok: true, revision: 4 },
    ]);
    expect(machine.read('a').ok).toBe(false);
  });

  it('a deleted key can be created again with cas 0', () => {
    const { results } = run([
      { type: 'put', key: 'a', value: 1 },
      { type: 'delete', key: 'a' },
      { type: 'put', key: 'a', value: 2, cas: 0 },
    ]);
    expect(results[2]).toEqual({ ok: true, revision: 3 });
  });
});

describe('log indexes', () => {
  it('an empty command is the leader no-op: it only advances the applied index', () => {
    const machine = new KvMachine();
    expect(machine.apply(1, new Uint8Array(0))).toEqual({ ok: true, revision: 0 });
    expect(machine.appliedIndex).toBe(1);
    expect(machine.size).toBe(0);
  });

  it('indexes may skip (configuration entries) but never go back or repeat', () => {
    const machine = new KvMachine();
    machine.apply(3, encodeKvCommand({ type: 'put', key: 'a', value: 1 }));
    expect(machine.read('a').revision).toBe(3);
    expect(() => machine.apply(3, new Uint8Array(0))).toThrow(RangeError);
    expect(() => machine.apply(2, new Uint8Array(0))).toThrow(RangeError);
    expect(() => machine.apply(4.5, new Uint8Array(0))).toThrow(RangeError);
    expect(machine.appliedIndex).toBe(3);
  });

  it('bad bytes give a bad-command result and change nothing but the applied index', () => {
    const { machine } = run([{ type: 'put', key: 'a', value: 1 }]);
    const before = machine.read('a');
    const result = machine.apply(2, new TextEncoder().encode('{"v":1,"op":"put","key":"a"}'));
    expect(result).toEqual({ ok: false, revision: 0, error: 'bad-command', reason: 'put has no value' });
    expect(machine.read('a')).toEqual(before);
    expect(machine.appliedIndex).toBe(2);
  });
});
