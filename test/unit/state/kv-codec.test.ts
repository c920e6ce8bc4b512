import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKvCommand, encodeKvCommand } from '../../../src/core/state/kv-codec.js';
import { MAX_COMMAND_BYTES, MAX_KEY_LENGTH } from '../../../src/core/state/kv-types.js';
import type { KvCommand } from '../../../src/core/state/kv-types.js';
import { kvCommand } from './kv-arbitraries.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const reason = (s: string): string => {
  const decoded = decodeKvCommand(bytes(s));
  return decoded.ok ? 'decoded' : decoded.reason;
};

describe('kv command encoding: versioned JSON', () => {
  it('writes the documented shape', () => {
    expect(text(encodeKvCommand({ type: 'put', key: 'a', value: { n: 1 }, cas: 0, session: { client: 'c7', seq: 12 } }))).toBe(
      '{"v":1,"op":"put","key":"a","value":{"n":1},"cas":0,"client":"c7","seq":12}',
    );
    expect(text(encodeKvCommand({ type: 'delete', key: 'a' }))).toBe('{"v":1,"op":"delete","key":"a"}');
    expect(text(encodeKvCommand({ type: 'get', key: 'a', session: { client: 'c7', seq: 13 } }))).toBe('{"v":1,"op":"get","key":"a","client":"c7","seq":13}');
  });

  it('round-trips every command', () => {
    fc.assert(
      fc.property(kvCommand, (command) => {
        expect(decodeKvCommand(encodeKvCommand(command))).toEqual({ ok: true, value: JSON.parse(JSON.stringify(command)) as KvCommand });
      }),
    );
  });

  it('refuses to encode what would not decode', () => {
    const invalid: KvCommand[] = [
      { type: 'get', key: '' },
      { type: 'get', key: 'k'.repeat(MAX_KEY_LENGTH + 1) },
      { type: 'put', key: 'a', value: 1, cas: -1 },
      { type: 'put', key: 'a', value: 1, cas: 1.5 },
      { type: 'put', key: 'a', value: 1, session: { client: '', seq: 1 } },
      { type: 'put', key: 'a', value: 1, session: { client: 'c', seq: 0 } },
      { type: 'put', key: 'a', value: 'x'.repeat(MAX_COMMAND_BYTES) },
    ];
    for (const command of invalid) expect(() => encodeKvCommand(command)).toThrow(RangeError);
  });
});

describe('kv command decoding is strict and never throws', () => {
  it('names what is wrong', () => {
    expect(decodeKvCommand(new Uint8Array([0xff, 0xfe]))).toEqual({ ok: false, reason: 'not UTF-8' });
    expect(reason('{"v":1,')).toBe('not JSON');
    expect(reason('[1]')).toBe('not a JSON object');
    expect(reason('{"v":2,"op":"get","key":"a"}')).toBe('version is not 1');
    expect(reason('{"v":1,"op":"scan","key":"a"}')).toBe('op is not put, delete or get');
    expect(reason('{"v":1,"op":"get","key":"a","cas":1}')).toBe('unknown field "cas" for get');
    expect(reason('{"v":1,"op":"get","key":7}')).toBe('key is not a string of 1 to 1024 characters');
    expect(reason('{"v":1,"op":"get","key":"a","client":"c"}')).toBe('seq is not a positive safe integer');
    expect(reason('{"v":1,"op":"get","key":"a","seq":1}')).toBe('client is not a string of 1 to 256 characters');
    expect(reason('{"v":1,"op":"put","key":"a","value":1e400}')).toBe('value: number Infinity cannot be stored');
    expect(reason(`{"v":1,"op":"put","key":"a","value":${'['.repeat(65)}${']'.repeat(65)}}`)).toBe('value: nested deeper than 64');
  });

  it('keeps an own "__proto__" key as data and turns -0 into 0', () => {
    const decoded = decodeKvCommand(bytes('{"v":1,"op":"put","key":"a","value":{"__proto__":-0,"x":[-0]}}'));
    expect(decoded.ok).toBe(true);
    const value = decoded.ok && decoded.value.type === 'put' ? decoded.value.value : null;
    expect(JSON.stringify(value)).toBe('{"__proto__":0,"x":[0]}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('survives 400 000 nested brackets without overflowing the stack', () => {
    expect(reason(`{"v":1,"op":"put","key":"a","value":${'['.repeat(400_000)}${']'.repeat(400_000)}}`)).toBe('value: nested deeper than 64');
  });

  it('any bytes decode to a command or a reason, without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (junk) => {
        const decoded = decodeKvCommand(junk);
        expect(typeof (decoded.ok ? decoded.value.type : decoded.reason)).toBe('string');
      }),
    );
  });
});
