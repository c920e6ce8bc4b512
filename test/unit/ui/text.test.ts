import { describe, expect, it } from 'vitest';
import { ago, duration, lag } from '../../../src/ui/terminal/format.js';
import { fitLine, joinParts } from '../../../src/ui/terminal/line.js';
import { cutEnd, cutMiddle, printable, textWidth } from '../../../src/ui/terminal/text.js';

describe('text measured in terminal columns', () => {
  it('counts East Asian wide characters and emoji as two columns, combining marks as none', () => {
    expect(textWidth('node1')).toBe(5);
    expect(textWidth('節点')).toBe(4);
    expect(textWidth('🚀x')).toBe(3);
    expect(textWidth('e\u0301')).toBe(1);
  });

  it('cuts at the end or in the middle with "…", never past the width, even through wide characters', () => {
    expect(cutEnd('registry,node', 8)).toBe('registr…');
    expect(cutMiddle('worker-eu-west-1a-0042', 11)).toBe('worke…-0042');
    expect(cutMiddle('short', 11)).toBe('short');
    expect(textWidth(cutEnd('節点節点節点', 6))).toBeLessThanOrEqual(6);
    expect(textWidth(cutMiddle('節点節点節点', 6))).toBeLessThanOrEqual(6);
    expect(cutEnd('abc', 0)).toBe('');
  });

  it('replaces control characters, so that text from the wire cannot send escape codes', () => {
    expect(printable('a\x1b[31mb\u009bc\nd')).toBe('a?[31mb?c d');
  });

  it('fits a line of spans by cutting its end and dropping trailing spaces', () => {
    expect(fitLine([{ text: 'Leader: ' }, { text: 'node001', tone: 'mark' }, { text: '   ' }], 80)).toEqual([{ text: 'Leader: ' }, { text: 'node001', tone: 'mark' }]);
    expect(fitLine([{ text: 'Leader: ' }, { text: 'node001', tone: 'mark' }], 10)).toEqual([{ text: 'Leader: ' }, { text: 'n…', tone: 'mark' }]);
    expect(fitLine([{ text: 'x' }], 0)).toEqual([]);
  });

  it('leaves out the lowest-ranked parts of a line first', () => {
    const parts = [
      { rank: 9, spans: [{ text: 'Agent: a' }] },
      { rank: 1, spans: [{ text: 'pid 1' }] },
      { rank: 2, spans: [{ text: 'up 5s' }] },
    ];
    expect(joinParts(parts, 80).map((s) => s.text).join('')).toBe('Agent: a  pid 1  up 5s');
    expect(joinParts(parts, 16).map((s) => s.text).join('')).toBe('Agent: a  up 5s');
    expect(joinParts(parts, 5).map((s) => s.text).join('')).toBe('Agen…');
  });
});

describe('short formats', () => {
  const now = Date.parse('2026-03-14T12:00:00Z');
  it.each([
    [null, 'never'],
    ['2026-03-14T12:00:00.500Z', 'now'],
    ['2026-03-14T11:59:59.200Z', 'now'],
    ['2026-03-14T11:59:18Z', '42s ago'],
    ['2026-03-14T11:57:00Z', '3m ago'],
    ['2026-03-13T12:00:00Z', '24h ago'],
    ['2026-03-10T12:00:00Z', '4d ago'],
    ['not a time', '?'],
  ])('ago(%j) is %j', (iso, text) => expect(ago(iso, now)).toBe(text));

  it.each([
    [45.9, '45s'],
    [725, '12m 05s'],
    [12345.678, '3h 25m'],
    [356_400, '4d 03h'],
  ])('duration(%d) is %j', (seconds, text) => expect(duration(seconds)).toBe(text));

  it.each([
    [1.25, '1.3ms'],
    [212.4, '212ms'],
    [9.96, '10ms'],
    [999.4, '999ms'],
    [1234.5, '1.2s'],
  ])('lag(%d) is %j', (ms, text) => expect(lag(ms)).toBe(text));
});
