import type { RemoteInfo } from 'node:dgram';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HostPort } from '../../../src/config/values.js';
import { MAX_DATAGRAM_BYTES, receiveDatagram, unmapped, type DatagramSink } from '../../../src/runtime/membership/udp-receive.js';
import { memoryLogger } from '../../support/memory-log.js';

const rinfo = (address: string, port = 7946): RemoteInfo => ({ address, port, family: address.includes(':') ? 'IPv6' : 'IPv4', size: 0 });

function sink(onPacket: DatagramSink['onPacket'] = () => undefined, onOversize?: DatagramSink['onOversize']) {
  const { log, records } = memoryLogger();
  const packets: { bytes: Uint8Array; from: HostPort }[] = [];
  const s = {
    name: 'membership',
    count: { received: 0, droppedOversize: 0, handlerFailed: 0 },
    log,
    onPacket: (bytes: Uint8Array, from: HostPort) => {
      packets.push({ bytes, from });
      onPacket(bytes, from);
    },
    onOversize,
  };
  return { s, packets, records };
}

describe('receiveDatagram', () => {
  it('hands a datagram of up to MAX_DATAGRAM_BYTES on, with an IPv4-mapped sender written as IPv4', () => {
    const { s, packets } = sink();
    receiveDatagram(s, Buffer.alloc(MAX_DATAGRAM_BYTES), rinfo('::ffff:10.0.0.5', 4000));
    expect(packets.map((p) => [p.bytes.length, p.from])).toEqual([[MAX_DATAGRAM_BYTES, { host: '10.0.0.5', port: 4000 }]]);
    expect(s.count).toEqual({ received: 1, droppedOversize: 0, handlerFailed: 0 });
  });

  it('drops a larger datagram unread and tells onOversize its size', () => {
    const sizes: number[] = [];
    const { s, packets } = sink(undefined, (size) => sizes.push(size));
    receiveDatagram(s, Buffer.alloc(MAX_DATAGRAM_BYTES + 1), rinfo('fe80::1'));
    expect([packets.length, sizes]).toEqual([0, [MAX_DATAGRAM_BYTES + 1]]);
    expect(s.count).toEqual({ received: 0, droppedOversize: 1, handlerFailed: 0 });
  });

  it('counts and logs a handler that throws, under the sink name, and does not throw', () => {
    const { s, records } = sink(
      () => {
        throw new Error('bug');
      },
      () => {
        throw new Error('bug too');
      },
    );
    receiveDatagram(s, Buffer.of(1), rinfo('10.0.0.1'));
    receiveDatagram(s, Buffer.alloc(MAX_DATAGRAM_BYTES + 1), rinfo('10.0.0.1'));
    expect(s.count).toEqual({ received: 1, droppedOversize: 1, handlerFailed: 2 });
    expect(records.filter((r) => r.level === 'error').map((r) => r.msg)).toEqual(['membership packet handler failed', 'membership oversize handler failed']);
  });

  it('random datagrams from random senders are counted once each and never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 * MAX_DATAGRAM_BYTES }), fc.oneof(fc.ipV4(), fc.ipV6()), fc.boolean()), { maxLength: 20 }), (datagrams) => {
        const { s } = sink();
        for (const [size, address, throws] of datagrams) {
          s.onOversize = throws
            ? () => {
                throw new Error('bug');
              }
            : undefined;
          receiveDatagram(s, Buffer.alloc(size), rinfo(address));
        }
        const big = datagrams.filter(([size]) => size > MAX_DATAGRAM_BYTES);
        expect(s.count).toEqual({ received: datagrams.length - big.length, droppedOversize: big.length, handlerFailed: big.filter(([, , t]) => t).length });
      }),
    );
  });

  it('unmapped writes only IPv4-mapped addresses as IPv4', () => {
    expect([unmapped('::ffff:127.0.0.1'), unmapped('::FFFF:1.2.3.4'), unmapped('::1'), unmapped('10.0.0.1'), unmapped('::ffff:7f00:1')]).toEqual([
      '127.0.0.1',
      '1.2.3.4',
      '::1',
      '10.0.0.1',
      '::ffff:7f00:1',
    ]);
  });
});
