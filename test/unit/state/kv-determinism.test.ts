import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKvCommand, encodeKvCommand } from '../../../src/core/state/kv-codec.js';
import { KvMachine } from '../../../src/core/state/kv.js';
import { kvCommand } from './kv-arbitraries.js';

/** Bytes near a valid command: one byte changed, a cut, or an insertion; or plain junk. */
const nearCommandBytes = fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  fc.tuple(kvCommand, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('replace', 'cut', 'insert')).map(([command, at, byte, how]) => {
    const bytes = encodeKvCommand(command);
    const i = at % (bytes.length + 1);
    if (how === 'cut') return bytes.subarray(0, i);
    if (how === 'insert') return Uint8Array.from([...bytes.subarray(0, i), byte, ...bytes.subarray(i)]);
    const out = bytes.slice();
    out[i % out.length] = byte;
    return out;
  }),
);

describe('the kv machine is deterministic', () => {
  it('two machines fed the same commands give the same results and end with equal snapshots', () => {
    fc.assert(
      fc.property(fc.array(kvCommand, { maxLength: 80 }), (commands) => {
        const [one, two] = [new KvMachine({ maxSessions: 2 }), new KvMachine({ maxSessions: 2 })];
        commands.forEach((command, i) => {
          const bytes = encodeKvCommand(command);
          expect(one.apply(i + 1, bytes)).toEqual(two.apply(i + 1, bytes.slice()));
        });
        expect(one.snapshot()).toEqual(two.snapshot());
      }),
    );
  });

  it('random or mutated command bytes never throw, and change nothing unless they decode', () => {
    fc.assert(
      fc.property(fc.array(kvCommand, { maxLength: 20 }), nearCommandBytes, (history, bytes) => {
        const machine = new KvMachine();
        history.forEach((command, i) => machine.apply(i + 1, encodeKvCommand(command)));
        const noOp = new KvMachine();
        noOp.restore(machine.snapshot());
        noOp.apply(history.length + 1, new Uint8Array(0));

        const result = machine.apply(history.length + 1, bytes);
        if (bytes.length > 0 && !decodeKvCommand(bytes).ok) {
          expect(result).toMatchObject({ ok: false, revision: 0, error: 'bad-command' });
          expect(machine.snapshot()).toEqual(noOp.snapshot());
        } else {
          expect(result).not.toMatchObject({ error: 'bad-command' });
        }
      }),
      { numRuns: 500 },
    );
  });
});
