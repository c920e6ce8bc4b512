import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src/ops/snapshot.js';
import { backoffMs, type StreamView } from '../../../src/ui/terminal/status-stream.js';
import { watchScreen } from '../../../src/ui/terminal/watch-screen.js';

const snapshot = JSON.parse(readFileSync(new URL('../../fixtures/status-snapshot.json', import.meta.url), 'utf8')) as StatusSnapshot;
const received = 1_000_000;
const frame = (view: StreamView, columns = 100, rows = 40, nowMs = received): string[] =>
  watchScreen(view, { size: { columns, rows }, color: false, target: '10.0.0.11:8080', nowMs });

describe('a frame of status --watch', () => {
  it('says it is live and how to quit, above the status view', () => {
    const lines = frame({ connection: { state: 'live' }, snapshot, receivedAt: received });
    expect(lines[0]).toBe('Live from 10.0.0.11:8080  q or Ctrl-C quits');
    expect(lines.join('\n')).toContain('Leader (membership, lowest ID): node001');
  });

  it('says it is connecting before anything arrived', () => {
    expect(frame({ connection: { state: 'connecting' }, snapshot: null, receivedAt: 0 })).toEqual(['Connecting to 10.0.0.11:8080…']);
    expect(frame({ connection: { state: 'lost', retries: 2, error: 'connect ECONNREFUSED' }, snapshot: null, receivedAt: 0 })).toEqual([
      'No connection to 10.0.0.11:8080, retrying…  (connect ECONNREFUSED; tried 2 times)',
    ]);
  });

  it('when the connection is lost, says so above the last snapshot, whose ages go on counting', () => {
    const live = frame({ connection: { state: 'live' }, snapshot, receivedAt: received });
    const lost = frame({ connection: { state: 'lost', retries: 0, error: 'the agent closed the stream: agent stopping' }, snapshot, receivedAt: received }, 140, 40, received + 3600_000);
    expect(lost[0]).toBe('Connection lost, reconnecting…  (the agent closed the stream: agent stopping)  showing 09:26:53 UTC');
    expect(live.find((l) => l.includes(' node004 '))).toMatch(/2m ago/);
    expect(lost.find((l) => l.includes(' node004 '))).toMatch(/1h ago/);
  });

  it('fits the terminal: no line wider than it, and no more lines than its rows, saying what was left out', () => {
    const lines = frame({ connection: { state: 'live' }, snapshot, receivedAt: received }, 50, 12);
    expect(lines).toHaveLength(12);
    expect(lines.at(-1)).toMatch(/^… \d+ more lines: enlarge the terminal$/);
    for (const line of lines) expect([...stripVTControlCharacters(line)].length).toBeLessThanOrEqual(50);
  });
});

describe('reconnecting', () => {
  it('waits 250 ms, doubling on each failure up to 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(backoffMs)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });
});
