import { describe, expect, it } from 'vitest';
import { clusterTag, encodePackets } from '../../../src/core/membership/codec.js';
import { MsgType } from '../../../src/core/membership/messages.js';
import { FOREIGN_WARNING_INTERVAL_MS, ForeignClusterNotice } from '../../../src/runtime/membership/foreign-cluster.js';

const from = { host: '10.1.2.3', port: 7946 };
const frame = encodePackets(clusterTag('other'), [{ type: MsgType.Ack, seq: 1, from: 'x' }])[0] as Uint8Array;

describe('packets of another cluster', () => {
  it('are named with their sender, their tag and this cluster, at most once a minute', () => {
    const notice = new ForeignClusterNotice('prod', clusterTag('prod'));
    const first = notice.record(from, frame, 0);
    expect(first).toContain('dropping packets from another cluster');
    expect(first).toContain(`tag 0x${clusterTag('other').toString(16).padStart(8, '0')}`);
    expect(first).toContain('10.1.2.3:7946');
    expect(first).toContain("this agent is in cluster 'prod'");
    for (let t = 1; t < 100; t++) expect(notice.record(from, frame, t * 100)).toBeUndefined();
    expect(notice.record(from, frame, FOREIGN_WARNING_INTERVAL_MS)).toContain('(100 packets since the last warning)');
    expect(notice.dropped).toBe(101);
  });

  it('nothing is said before one arrives', () => {
    expect(new ForeignClusterNotice('prod', 1).describe()).toBeUndefined();
  });
});
