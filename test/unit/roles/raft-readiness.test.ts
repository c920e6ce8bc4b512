import { describe, expect, it } from 'vitest';
import { noRefusals } from '../../../src/core/raft/plausible.js';
import type { RaftStatus } from '../../../src/core/raft/types.js';
import { agentNotReady } from '../../../src/ops/readiness.js';
import { READY_APPLY_LAG, notReady } from '../../../src/roles/raft/readiness.js';
import { RemovalCheck, type PeerAnswer } from '../../../src/roles/raft/removal-check.js';
import { memoryLogger } from '../../support/memory-log.js';

const status = (over: Partial<RaftStatus> = {}): RaftStatus =>
  ({ id: 'n3', role: 'follower', term: 4, leader: 'n1', commit: 10, applied: 10, lastIndex: 10, conf: { voters: ['n1', 'n2', 'n3'], learners: [] }, refused: noRefusals(), ...over });
const ok = { kind: 'ok' } as const;

describe('a Raft member is ready once it can serve', () => {
  it('is ready with a leader known and every committed entry it knows applied', () => {
    expect(notReady({ status: status(), storage: ok, removed: false })).toBeNull();
  });

  it('stays ready while busy: a few committed entries not applied yet do not take it out of service', () => {
    expect(notReady({ status: status({ applied: 145, commit: 150 }), storage: ok, removed: false })).toBeNull();
    expect(notReady({ status: status({ applied: 0, commit: READY_APPLY_LAG }), storage: ok, removed: false })).toBeNull();
  });

  it('is not ready while the group forms, without a leader, while applying, while its disk retries, or once removed', () => {
    expect(notReady({ status: undefined, storage: ok, removed: false })).toMatch(/waiting for the Raft group/);
    expect(notReady({ status: status({ leader: null }), storage: ok, removed: false })).toMatch(/no Raft leader/);
    expect(notReady({ status: status({ applied: 7, commit: 8 + READY_APPLY_LAG }), storage: ok, removed: false })).toBe(`applying committed entries (7 of ${8 + READY_APPLY_LAG})`);
    expect(notReady({ status: status(), storage: { kind: 'retrying', code: 'ENOSPC', message: '', attempts: 2, nextInMs: 150 }, removed: false })).toBe(
      'storage retrying after ENOSPC (2 attempts, next in 150 ms)',
    );
    expect(notReady({ status: status(), storage: ok, removed: true })).toMatch(/removed from the Raft group/);
  });

  it('the agent is ready once membership started and no role says otherwise', () => {
    expect(agentNotReady(false, {})).toMatch(/membership/);
    expect(agentNotReady(true, {})).toBeNull();
    expect(agentNotReady(true, { raft: { not_ready: null } })).toBeNull();
    expect(agentNotReady(true, { raft: { not_ready: 'no Raft leader is known yet' } })).toBe('raft: no Raft leader is known yet');
  });
});

describe('a member finds out it was removed from the leader itself', () => {
  const check = (current: RaftStatus, answers: Record<number, PeerAnswer | undefined>): RemovalCheck =>
    new RemovalCheck({
      id: 'n3',
      status: () => current,
      resolve: (id) => ({ host: '127.0.0.1', port: Number(id.slice(1)) }),
      ask: (at) => Promise.resolve(answers[at.port]),
      log: memoryLogger().log,
    });
  const leaderless = status({ leader: null });
  const peer = (id: string) => ({ id, address: `127.0.0.1:${id.slice(1)}` });

  it('is removed when the leader, at a term at least its own, lists it no more', async () => {
    const c = check(leaderless, { 1: { leader: 'n1', term: 4, peers: [peer('n1'), peer('n2')] } });
    await c.tick();
    expect(c.removed).toBe(true);
  });

  it('follows a follower to the leader it names, even one outside its own configuration', async () => {
    const c = check(leaderless, { 2: { leader: 'n4', term: 5, peers: [peer('n2'), peer('n4')] }, 4: { leader: 'n4', term: 5, peers: [peer('n2'), peer('n4')] } });
    await c.tick();
    expect(c.removed).toBe(true);
  });

  it("does not take a follower's word, nor a leader's from an older term, nor one that lists it", async () => {
    for (const answers of [
      { 2: { leader: 'n1', term: 4, peers: [peer('n1'), peer('n2')] } },
      { 1: { leader: 'n1', term: 3, peers: [peer('n1'), peer('n2')] } },
      { 1: { leader: 'n1', term: 4, peers: [peer('n1'), peer('n2'), peer('n3')] } },
      {},
    ]) {
      const c = check(leaderless, answers);
      await c.tick();
      expect(c.removed, JSON.stringify(answers)).toBe(false);
    }
  });

  it('is a member again once it hears from a leader', async () => {
    let current = leaderless;
    const c = new RemovalCheck({
      id: 'n3',
      status: () => current,
      resolve: (id) => ({ host: '127.0.0.1', port: Number(id.slice(1)) }),
      ask: () => Promise.resolve({ leader: 'n1', term: 4, peers: [peer('n1'), peer('n2')] }),
      log: memoryLogger().log,
    });
    await c.tick();
    expect(c.removed).toBe(true);
    current = status({ leader: 'n1', term: 6 });
    await c.tick();
    expect(c.removed).toBe(false);
  });
});
