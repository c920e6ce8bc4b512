import { describe, expect, it } from 'vitest';
import type { MemberStatus } from '../../../../src/ops/snapshot.js';
import { LoadHistory } from '../../../../src/ui/web/load-history.js';

function member(id: string, load: { cpu: number; lag: number; at: number } | null): MemberStatus {
  return {
    id,
    address: '127.0.0.1:1',
    state: 'alive',
    roles: [],
    services: {},
    tags: {},
    version: 't',
    incarnation: 0,
    state_since: new Date(0).toISOString(),
    last_seen: null,
    load: load && { cpu: load.cpu, lag_ms: load.lag, heard_at: new Date(load.at).toISOString() },
    leader: false,
    self: false,
  };
}

describe('the load history of the page', () => {
  it('keeps one sample per load report, so a snapshot seen twice adds nothing', () => {
    const history = new LoadHistory();
    history.record([member('a', { cpu: 1, lag: 2, at: 1000 })]);
    history.record([member('a', { cpu: 1, lag: 2, at: 1000 })]);
    history.record([member('a', { cpu: 3, lag: 4, at: 2000 })]);
    expect(history.of('a')).toEqual({ cpu: [1, 3], lag: [2, 4] });
  });

  it('keeps only the last samples up to its capacity', () => {
    const history = new LoadHistory(3);
    for (let i = 1; i <= 5; i++) history.record([member('a', { cpu: i, lag: i * 10, at: i * 1000 })]);
    expect(history.of('a')).toEqual({ cpu: [3, 4, 5], lag: [30, 40, 50] });
  });

  it('has nothing for a member before its first report, and forgets members that are gone', () => {
    const history = new LoadHistory();
    history.record([member('a', { cpu: 1, lag: 1, at: 1000 }), member('b', null)]);
    expect(history.of('b')).toEqual({ cpu: [], lag: [] });
    history.record([member('b', null)]);
    expect(history.of('a')).toEqual({ cpu: [], lag: [] });
  });
});
