import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring, type Opened } from '../../../src/runtime/membership/keyring.js';

const key = (): string => randomBytes(32).toString('base64');
const OLD = key();
const NEW = key();
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function plainOf(opened: Opened): string {
  if ('dropped' in opened) throw new Error(`dropped: ${opened.dropped}`);
  return new TextDecoder().decode(opened.plain);
}

describe('keyring', () => {
  it('a sealed frame opens to its plaintext, and seal adds exactly `overhead` bytes', () => {
    const ring = new Keyring([OLD], 'proxy');
    const sealed = ring.seal(text('ping node2'));
    expect(ring.encrypted).toBe(true);
    expect(ring.overhead).toBe(39);
    expect(sealed.length).toBe('ping node2'.length + 39);
    expect([...sealed.subarray(0, 3)]).toEqual([0x44, 0x45, 2]);
    expect(plainOf(ring.open(sealed))).toBe('ping node2');
    expect(plainOf(ring.open(ring.seal(new Uint8Array(0))))).toBe('');
  });

  it('sealing the same frame twice gives different bytes (a fresh nonce each time)', () => {
    const ring = new Keyring([OLD], 'proxy');
    expect(Buffer.from(ring.seal(text('x')))).not.toEqual(Buffer.from(ring.seal(text('x'))));
  });

  it('during rotation the new key seals and the old key still opens', () => {
    const before = new Keyring([OLD], 'proxy');
    const during = new Keyring([NEW, OLD], 'proxy');
    const after = new Keyring([NEW], 'proxy');
    expect(plainOf(during.open(before.seal(text('old'))))).toBe('old');
    expect(plainOf(after.open(during.seal(text('new'))))).toBe('new');
    expect(before.open(during.seal(text('new')))).toEqual({ dropped: 'decrypt' });
  });

  it('changing any single byte of a sealed frame makes it drop', () => {
    const ring = new Keyring([OLD], 'proxy');
    const sealed = ring.seal(text('alive node7'));
    for (let i = 0; i < sealed.length; i++) {
      const bad = Uint8Array.from(sealed);
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      expect(ring.open(bad), `byte ${i}`).toHaveProperty('dropped');
    }
  });

  it('a truncated sealed frame is a decrypt drop', () => {
    const ring = new Keyring([OLD], 'proxy');
    const sealed = ring.seal(text('suspect'));
    for (const length of [2, 3, 30, 38, sealed.length - 1]) expect(ring.open(sealed.subarray(0, length))).toEqual({ dropped: 'decrypt' });
  });

  it('a frame of another cluster does not open, even with the same key', () => {
    const sealed = new Keyring([OLD], 'proxy').seal(text('ping'));
    expect(new Keyring([OLD], 'db').open(sealed)).toEqual({ dropped: 'decrypt' });
  });

  it('a sealed frame of another layout version (1, without sender time, or an unknown one) is a seal-version drop', () => {
    for (const version of [1, 3, 255]) {
      const sealed = Uint8Array.from(new Keyring([OLD], 'proxy').seal(text('ping')));
      sealed[2] = version;
      expect(new Keyring([OLD], 'proxy').open(sealed)).toEqual({ dropped: 'seal-version' });
    }
  });

  it("a sealed frame carries its sender's clock and its nonce, authenticated with it", () => {
    const ring = new Keyring([OLD], 'proxy');
    const sealed = ring.seal(text('ping'), 1_700_000_000_123);
    const opened = ring.open(sealed);
    expect(opened).toMatchObject({ sentAt: 1_700_000_000_123 });
    expect(Buffer.from((opened as { nonce: Uint8Array }).nonce)).toEqual(Buffer.from(sealed.subarray(3, 15)));
    expect(plainOf(opened)).toBe('ping');
  });

  it('a keyed agent drops a plain frame as unencrypted', () => {
    expect(new Keyring([OLD], 'proxy').open(text('plain ping'))).toEqual({ dropped: 'unencrypted' });
    expect(new Keyring([OLD], 'proxy').open(new Uint8Array(0))).toEqual({ dropped: 'unencrypted' });
  });

  it('without keys frames pass through unchanged, and a sealed frame is dropped as not-encrypted-expected', () => {
    const ring = new Keyring([], 'proxy');
    const frame = text('plain ping');
    expect(ring.encrypted).toBe(false);
    expect(ring.overhead).toBe(0);
    expect(ring.seal(frame)).toBe(frame);
    expect(ring.open(frame)).toEqual({ plain: frame });
    expect(ring.open(new Keyring([OLD], 'proxy').seal(frame))).toEqual({ dropped: 'not-encrypted-expected' });
  });

  it('open never throws, whatever the bytes', () => {
    const rings = [new Keyring([OLD], 'proxy'), new Keyring([], 'proxy')];
    for (let n = 0; n < 200; n++) {
      const junk = randomBytes(n % 64);
      if (n % 2 === 0 && junk.length >= 2) junk.set([0x44, 0x45], 0);
      for (const ring of rings) expect(() => ring.open(junk)).not.toThrow();
    }
  });

  it('a key that is not 32 bytes of base64 is refused, naming its position', () => {
    expect(() => new Keyring([OLD, 'c2hvcnQ='], 'proxy')).toThrow('key 2 must be 32 bytes in base64');
    expect(() => new Keyring(['not base64!'], 'proxy')).toThrow(RangeError);
  });
});
