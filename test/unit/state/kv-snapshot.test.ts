import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKvCommand } from '../../../src/core/state/kv-codec.js';
import { KV_SNAPSHOT_VERSION } from '../../../src/core/state/kv-snapshot.js';
import type { KvCommand } from '../../../src/core/state/kv-types.js';
import { KvMachine } from '../../../src/core/state/kv.js';
import { SnapshotCorruptError } from '../../../src/core/state/machine.js';
import { MachineKind, frameSnapshot } from '../../../src/core/state/snapshot-frame.js';
import { kvCommand } from './kv-arbitraries.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function machineWith(commands: readonly KvCommand[], maxSessions?: number): KvMachine {
  const machine = new KvMachine(maxSessions === undefined ? {} : { maxSessions });
  commands.forEach((command, i) => machine.apply(i + 1, encodeKvCommand(command)));
  return machine;
}

const SAMPLE: readonly KvCommand[] = [
  { type: 'put', key: 'b', value: { n: 1 }, session: { client: 'c7', seq: 1 } },
  { type: 'put', key: 'a', value: [true, null] },
  { type: 'get', key: 'b', session: { client: 'c8', seq: 4 } },
  { type: 'delete', key: 'x', cas: 3, session: { client: 'c7', seq: 2 } },
];

/** A framed kv snapshot whose body is `body`, with a correct checksum. */
const framed = (body: string): Uint8Array => frameSnapshot(MachineKind.Kv, KV_SNAPSHOT_VERSION, new TextEncoder().encode(body));

describe('kv snapshots', () => {
  it('hold the applied index, keys in sorted order with revisions, and sessions oldest first', () => {
    const data = machineWith(SAMPLE).snapshot();
    expect(text(data.subarray(8))).toBe(
      '{"applied":4,"keys":[["a",2,[true,null]],["b",1,{"n":1}]],"sessions":[' +
        '["c8",4,3,{"ok":true,"revision":1,"value":{"n":1}}],["c7",2,4,{"ok":false,"revision":0,"error":"cas-failed"}]]}',
    );
  });

  it('restore gives back the same state, revisions and sessions: a retry after restore is still applied once', () => {
    const original = machineWith(SAMPLE);
    const restored = new KvMachine();
    restored.restore(original.snapshot());
    expect(restored.appliedIndex).toBe(4);
    expect(restored.snapshot()).toEqual(original.snapshot());
    expect(restored.read('b')).toEqual({ ok: true, revision: 1, value: { n: 1 } });
    restored.apply(5, encodeKvCommand({ type: 'put', key: 'b', value: 'new' }));
    expect(restored.apply(6, encodeKvCommand(SAMPLE[2] as KvCommand))).toEqual({ ok: true, revision: 1, value: { n: 1 } });
    expect(restored.apply(7, encodeKvCommand(SAMPLE[0] as KvCommand))).toMatchObject({ error: 'stale-sequence' });
  });

  it('a machine restored half way and fed the rest ends equal to one fed everything', () => {
    fc.assert(
      fc.property(fc.array(kvCommand, { maxLength: 60 }), fc.nat(60), (commands, cut) => {
        const at = Math.min(cut, commands.length);
        const whole = machineWith(commands, 2);
        const resumed = new KvMachine({ maxSessions: 2 });
        resumed.restore(machineWith(commands.slice(0, at), 2).snapshot());
        commands.slice(at).forEach((command, i) => resumed.apply(at + i + 1, encodeKvCommand(command)));
        expect(resumed.snapshot()).toEqual(whole.snapshot());
      }),
    );
  });

  it('restore refuses any flipped byte or truncation and keeps the state it had', () => {
    const data = machineWith(SAMPLE).snapshot();
    const target = machineWith([{ type: 'put', key: 'keep', value: 1 }]);
    const before = target.snapshot();
    for (let i = 0; i < data.length; i++) {
      const flipped = data.slice();
      flipped[i] = (flipped[i] ?? 0) ^ 0x20;
      expect(() => target.restore(flipped)).toThrow(SnapshotCorruptError);
      expect(() => target.restore(data.subarray(0, i))).toThrow(SnapshotCorruptError);
    }
    expect(target.snapshot()).toEqual(before);
  });

  it('restore names what is wrong in a body that passed its checksum', () => {
    const reasonOf = (body: string): string => {
      try {
        new KvMachine({ maxSessions: 1 }).restore(framed(body));
        return 'restored';
      } catch (error) {
        return error instanceof SnapshotCorruptError ? error.message : `unexpected ${String(error)}`;
      }
    };
    expect(reasonOf('{"applied":1,"keys":[],"sessions":[]}')).toBe('restored');
    expect(reasonOf('{"applied":-1,"keys":[],"sessions":[]}')).toBe('kv snapshot: applied is not an index');
    expect(reasonOf('{"applied":1,"keys":[["a",2,1]],"sessions":[]}')).toBe('kv snapshot: key "a" has revision 2');
    expect(reasonOf('{"applied":2,"keys":[["a",1,1],["a",2,1]],"sessions":[]}')).toBe('kv snapshot: key "a" appears twice');
    expect(reasonOf('{"applied":2,"keys":[],"sessions":[["c",1,1,{"ok":true,"revision":0}],["d",1,2,{"ok":true,"revision":0}]]}')).toBe(
      'kv snapshot: 2 sessions, more than the limit of 1',
    );
    expect(reasonOf('{"applied":2,"keys":[],"sessions":[["c",1,1,{"ok":"yes","revision":0}]]}')).toBe('kv snapshot: session "c": result is not a KvResult');
    expect(reasonOf('{"applied":2,"keys":[],"sessions":[["c",1,1,{"ok":true,"revision":0,"extra":1}]]}')).toBe('kv snapshot: session "c": result has unknown fields');
  });

  it('restore refuses another machine kind or format version', () => {
    const body = new TextEncoder().encode('{"applied":0,"keys":[],"sessions":[]}');
    expect(() => new KvMachine().restore(frameSnapshot(MachineKind.Kv, KV_SNAPSHOT_VERSION + 1, body))).toThrow(/format version 2, not 1/);
    const foreign = frameSnapshot(MachineKind.Kv, KV_SNAPSHOT_VERSION, body);
    foreign[2] = 9;
    expect(() => new KvMachine().restore(foreign)).toThrow(/machine kind 9, not 1/);
  });
});
