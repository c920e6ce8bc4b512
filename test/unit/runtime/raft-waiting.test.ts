import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { realTimers } from '../../../src/runtime/raft/timers.js';
import { Waiting } from '../../../src/runtime/raft/waiting.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const found = { ok: true, revision: 7, value: 'v' } as const;

describe('requests waiting for the Raft log', () => {
  it('a proposal settles with its result when its entry is applied in its term', async () => {
    const waiting = new Waiting(realTimers);
    const outcome = waiting.proposal(5, 2, 1000);
    waiting.applied(4, 2, found);
    waiting.applied(5, 2, found);
    expect(await outcome).toEqual({ kind: 'done', result: found });
    expect(waiting.size).toBe(0);
  });

  it('another term at its index means lost (not applied)', async () => {
    const waiting = new Waiting(realTimers);
    const outcome = waiting.proposal(5, 2, 1000);
    waiting.applied(5, 3, found);
    expect(await outcome).toMatchObject({ kind: 'lost' });
  });

  it('a new proposal of ours at the same index settles the old one as lost, and the old timer leaves the new one alone', async () => {
    const waiting = new Waiting(realTimers);
    const old = waiting.proposal(5, 2, 1000);
    const fresh = waiting.proposal(5, 3, 5000);
    expect(await old).toMatchObject({ kind: 'lost' });
    vi.advanceTimersByTime(2000);
    waiting.applied(5, 3, found);
    expect(await fresh).toEqual({ kind: 'done', result: found });
  });

  it('past its deadline the outcome is unknown, and a late apply changes nothing', async () => {
    const waiting = new Waiting(realTimers);
    const outcome = waiting.proposal(9, 1, 1000);
    vi.advanceTimersByTime(1000);
    expect(await outcome).toMatchObject({ kind: 'unknown' });
    waiting.applied(9, 1, found);
    expect(waiting.size).toBe(0);
  });

  it('a snapshot past a proposal makes its outcome unknown here', async () => {
    const waiting = new Waiting(realTimers);
    const behind = waiting.proposal(3, 1, 1000);
    const ahead = waiting.proposal(12, 1, 1000);
    waiting.skipped(10);
    expect(await behind).toMatchObject({ kind: 'unknown' });
    expect(waiting.size).toBe(1);
    waiting.applied(12, 1, found);
    expect(await ahead).toMatchObject({ kind: 'done' });
  });

  it('a read is served once confirmed and applied, not before', async () => {
    const waiting = new Waiting(realTimers);
    const serve = vi.fn(() => found);
    const { ctx, outcome } = waiting.read(serve, 1000);
    waiting.serveReads(100);
    expect(serve).not.toHaveBeenCalled();
    waiting.confirmed(ctx, 20);
    waiting.serveReads(19);
    expect(serve).not.toHaveBeenCalled();
    waiting.serveReads(20);
    expect(await outcome).toEqual({ kind: 'done', result: found });
    expect(serve).toHaveBeenCalledOnce();
  });

  it('a forwarded command settles when this member applies it; overtaken by a later one it was not applied', async () => {
    const waiting = new Waiting(realTimers);
    const first = waiting.forwarded(1, 1000);
    const second = waiting.forwarded(2, 1000);
    waiting.forwardApplied(2, found);
    waiting.forwardApplied(1, { ok: false, revision: 0, error: 'stale-sequence' });
    expect(await second).toEqual({ kind: 'done', result: found });
    expect(await first).toMatchObject({ kind: 'lost' });
    const third = waiting.forwarded(3, 1000);
    waiting.skipped(50);
    expect(await third).toMatchObject({ kind: 'unknown' });
  });

  it('settleAll answers everything still waiting', async () => {
    const waiting = new Waiting(realTimers);
    const a = waiting.proposal(1, 1, 1000);
    const b = waiting.read(() => found, 1000).outcome;
    waiting.settleAll({ kind: 'unknown', reason: 'stopping' });
    expect(await Promise.all([a, b])).toEqual([
      { kind: 'unknown', reason: 'stopping' },
      { kind: 'unknown', reason: 'stopping' },
    ]);
  });
});
