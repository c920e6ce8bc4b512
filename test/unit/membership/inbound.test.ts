import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterTag, encodePackets } from '../../../src/core/membership/codec.js';
import { MsgType } from '../../../src/core/membership/messages.js';
import { readDatagram } from '../../../src/runtime/membership/inbound.js';
import { Keyring } from '../../../src/runtime/membership/keyring.js';
import { ReplayGuard } from '../../../src/runtime/membership/replay-guard.js';

// Every datagram goes through readDatagram: whatever the bytes, it returns
// messages or one of the documented drop reasons, and never throws.

const REASONS = new Set(['unencrypted', 'decrypt', 'seal-version', 'not-encrypted-expected', 'stale', 'replay', 'short', 'magic', 'version', 'kind', 'crc', 'cluster', 'malformed', 'oversize']);
const TAG = clusterTag('fuzz');
const NOW = 1_700_000_000_000;
const KEYED = new Keyring([randomBytes(32).toString('base64')], 'fuzz');
const PLAIN = new Keyring([], 'fuzz');
const VALID = encodePackets(TAG, [{ type: MsgType.Ping, seq: 7, target: 'n1', from: 'n2', fromAddr: { host: '10.0.0.2', port: 7946 } }])[0] as Uint8Array;

function read(bytes: Uint8Array, keyring: Keyring, guard = new ReplayGuard(0)): string {
  const r = readDatagram(bytes, { keyring, guard, tag: TAG, now: NOW, windowMs: 30_000 });
  return 'dropped' in r ? r.dropped : 'ok';
}

describe('reading a datagram', () => {
  it('random bytes, with or without a key, give messages or a documented drop reason and never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), fc.boolean(), (bytes, sealedPrefix) => {
        if (sealedPrefix && bytes.length >= 3) bytes.set([0x44, 0x45, 2], 0);
        for (const ring of [KEYED, PLAIN]) {
          const verdict = read(bytes, ring);
          expect(verdict === 'ok' || REASONS.has(verdict)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('authenticated garbage (random plaintext, sealed with the key) reaches the codec and is dropped by it without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (plain) => {
        const verdict = read(KEYED.seal(plain, NOW), KEYED);
        expect(['short', 'magic', 'version', 'kind', 'crc', 'cluster', 'malformed', 'ok']).toContain(verdict);
      }),
      { numRuns: 1000 },
    );
  });

  it('a sealed packet is read once; its exact replay is a replay, and one stamped a minute ago is stale', () => {
    const guard = new ReplayGuard(0);
    const sealed = KEYED.seal(VALID, NOW);
    expect(read(sealed, KEYED, guard)).toBe('ok');
    expect(read(sealed, KEYED, guard)).toBe('replay');
    expect(read(KEYED.seal(VALID, NOW - 60_000), KEYED, guard)).toBe('stale');
    expect(read(VALID, PLAIN, guard)).toBe('ok');
    expect(read(VALID, PLAIN, guard)).toBe('ok');
  });
});
