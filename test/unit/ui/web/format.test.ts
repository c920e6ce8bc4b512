import { describe, expect, it } from 'vitest';
import type { LeaderStatus } from '../../../../src/ops/snapshot.js';
import { connectionText } from '../../../../src/ui/web/connection-state.js';
import { clockTime, formatCpu, formatLag, formatUptime, quorumText, relativeTime } from '../../../../src/ui/web/format.js';

const at = Date.parse('2026-01-01T12:00:00.000Z');
const ago = (ms: number): string => new Date(at - ms).toISOString();

describe('the page words times and loads for humans', () => {
  it('says how long ago, in the largest whole unit, and "never" for a member never heard from', () => {
    expect(relativeTime(ago(400), at)).toBe('just now');
    expect(relativeTime(ago(2_900), at)).toBe('2s ago');
    expect(relativeTime(ago(59_999), at)).toBe('59s ago');
    expect(relativeTime(ago(5 * 60_000 + 30_000), at)).toBe('5m ago');
    expect(relativeTime(ago(3 * 3_600_000), at)).toBe('3h ago');
    expect(relativeTime(ago(2 * 86_400_000 + 5), at)).toBe('2d ago');
    expect(relativeTime(null, at)).toBe('never');
    expect(relativeTime('not a time', at)).toBe('unknown');
  });

  it('a time slightly ahead of the clock (skew) reads as just now, not as negative', () => {
    expect(relativeTime(ago(-1500), at)).toBe('just now');
  });

  it('gives uptime in its two largest units', () => {
    expect(formatUptime(0)).toBe('0s');
    expect(formatUptime(42.7)).toBe('42s');
    expect(formatUptime(303)).toBe('5m 3s');
    expect(formatUptime(2 * 3600 + 10 * 60 + 5)).toBe('2h 10m');
    expect(formatUptime(3 * 86_400 + 4 * 3600)).toBe('3d 4h');
  });

  it('gives CPU and lag to a tenth when small, whole when large', () => {
    expect(formatCpu(0.44)).toBe('0.4 %');
    expect(formatCpu(37.4)).toBe('37 %');
    expect(formatCpu(180)).toBe('180 %');
    expect(formatLag(0.8)).toBe('0.8 ms');
    expect(formatLag(12.4)).toBe('12 ms');
    expect(formatLag(1500)).toBe('1.5 s');
  });

  it('gives an event time as the local wall clock', () => {
    const local = new Date(2026, 0, 1, 9, 5, 7).toISOString();
    expect(clockTime(local)).toBe('09:05:07');
    expect(clockTime('garbage')).toBe('--:--:--');
  });
});

describe('the quorum in words', () => {
  const leader = (quorum: LeaderStatus['quorum'], own = false): LeaderStatus => ({ id: null, self: false, quorum, own_quorum: own, reason: '', since: ago(0), changes: 0 });

  it('says reached or lost with what the agent sees and needs', () => {
    expect(quorumText(leader({ needed: 2, seen: 3, reached: true }), true)).toEqual({ label: 'reached', detail: 'sees 3, needs 2', ok: true });
    expect(quorumText(leader({ needed: 2, seen: 1, reached: false }), true)).toEqual({ label: 'lost', detail: 'sees 1, needs 2', ok: false });
  });

  it('leaves the counts out when the feed has none (SSE)', () => {
    expect(quorumText(leader({ needed: 0, seen: 0, reached: false }), false)).toEqual({ label: 'lost', detail: '', ok: false });
  });

  it('says "own quorum" when no cluster size is set', () => {
    expect(quorumText(leader({ needed: 1, seen: 1, reached: true }, true), true).label).toBe('own quorum');
  });
});

describe('the connection banner', () => {
  it('says live and over which feed', () => {
    expect(connectionText({ kind: 'live', feed: 'websocket' }, at)).toBe('Live');
    expect(connectionText({ kind: 'live', feed: 'events' }, at)).toBe('Live (basic SSE feed)');
  });

  it('counts down to the next try while disconnected', () => {
    expect(connectionText({ kind: 'retrying', attempt: 2, retryAtMs: at + 2100 }, at)).toBe('Disconnected, retrying in 3s');
    expect(connectionText({ kind: 'retrying', attempt: 2, retryAtMs: at - 10 }, at)).toBe('Disconnected, retrying now');
    expect(connectionText({ kind: 'connecting', attempt: 0 }, at)).toBe('Connecting…');
    expect(connectionText({ kind: 'connecting', attempt: 2 }, at)).toBe('Reconnecting (attempt 3)…');
  });
});
