import { describe, expect, it } from 'vitest';
import { ENTER_SCREEN, frameUpdate, LEAVE_SCREEN, ScreenPainter } from '../../../src/ui/terminal/screen.js';

const SIZE = { columns: 10, rows: 4 };
const sync = (body: string): string => `\x1b[?2026h${body}\x1b[?2026l`;

describe('painting frames in place', () => {
  it('a first frame rewrites every line, clearing each to its end and the screen below', () => {
    expect(frameUpdate(null, ['a', 'b'], SIZE)).toBe(sync('\x1b[1;1Ha\x1b[K\x1b[2;1Hb\x1b[K\x1b[3;1H\x1b[J'));
  });

  it('later frames rewrite only the lines that changed, and nothing when none did', () => {
    expect(frameUpdate(['a', 'b', 'c'], ['a', 'B', 'c'], SIZE)).toBe(sync('\x1b[2;1HB\x1b[K'));
    expect(frameUpdate(['a', 'b'], ['a', 'b'], SIZE)).toBe('');
  });

  it('a shorter frame clears what was below it; no frame clears the whole screen', () => {
    const bytes = frameUpdate(['a', 'b', 'c'], ['a'], SIZE);
    expect(bytes).toBe(sync('\x1b[2;1H\x1b[J'));
    expect(bytes).not.toContain('\x1b[2J');
  });

  it('a line as wide as the screen is not followed by a clear, which would erase its last character', () => {
    expect(frameUpdate(['x'], ['0123456789'], SIZE)).toBe(sync('\x1b[1;1H0123456789'));
    expect(frameUpdate(['x'], ['\x1b[32m0123456789\x1b[39m'], SIZE)).toBe(sync('\x1b[1;1H\x1b[32m0123456789\x1b[39m'));
  });

  it('a frame that fills every row clears nothing below it (the cursor cannot go there)', () => {
    expect(frameUpdate(null, ['a', 'b', 'c', 'd'], SIZE)).not.toContain('\x1b[J');
  });

  it('the painter enters the alternate screen with the cursor hidden, redraws all after invalidate, and leaves as it came', () => {
    let out = '';
    const painter = new ScreenPainter({ write: (s: string) => (out += s) });
    painter.open();
    expect(out).toBe(ENTER_SCREEN);
    expect(ENTER_SCREEN).toContain('\x1b[?1049h');
    expect(ENTER_SCREEN).toContain('\x1b[?25l');
    painter.draw(['a'], SIZE);
    out = '';
    painter.draw(['a'], SIZE);
    expect(out).toBe('');
    painter.invalidate();
    painter.draw(['a'], SIZE);
    expect(out).toBe(frameUpdate(null, ['a'], SIZE));
    out = '';
    painter.close();
    expect(out).toBe(LEAVE_SCREEN);
    expect(LEAVE_SCREEN).toContain('\x1b[?1049l');
    expect(LEAVE_SCREEN).toContain('\x1b[?25h');
  });
});
