/**
 * Painting a full-screen view in place: the alternate screen with the cursor
 * hidden, and frames that rewrite only the lines that changed, each cleared to
 * its end, with everything below the last line cleared. No frame clears the
 * whole screen, so nothing flickers.
 */
import { stripVTControlCharacters } from 'node:util';
import type { LogOutput } from '../../ops/log.js';
import type { TerminalSize } from './terminal.js';
import { textWidth } from './text.js';

const ESC = '\x1b[';
/** Alternate screen on, cursor hidden, line wrap off (a line too long is cut by the terminal, never wrapped). */
export const ENTER_SCREEN = `${ESC}?1049h${ESC}?25l${ESC}?7l`;
/** Undoes ENTER_SCREEN: line wrap on, cursor shown, back to the normal screen as it was. */
export const LEAVE_SCREEN = `${ESC}?7h${ESC}?25h${ESC}?1049l`;
/** Terminals that know synchronized output show a frame at once; others ignore these. */
const BEGIN_FRAME = `${ESC}?2026h`;
const END_FRAME = `${ESC}?2026l`;
const CLEAR_TO_LINE_END = `${ESC}K`;
const CLEAR_TO_SCREEN_END = `${ESC}J`;
const moveTo = (row: number): string => `${ESC}${row + 1};1H`;

/**
 * What turns a screen showing `shown` (null: unknown) into one showing `next`
 * (at most `size.rows` lines); empty when nothing changes. A line as wide as
 * the screen is not followed by a clear: with the cursor on the last column,
 * that would erase the line's last character.
 */
export function frameUpdate(shown: readonly string[] | null, next: readonly string[], size: TerminalSize): string {
  let out = '';
  for (const [row, line] of next.entries()) {
    if (shown?.[row] === line) continue;
    const full = textWidth(stripVTControlCharacters(line)) >= size.columns;
    out += moveTo(row) + line + (full ? '' : CLEAR_TO_LINE_END);
  }
  if ((shown === null || shown.length > next.length) && next.length < size.rows) out += moveTo(next.length) + CLEAR_TO_SCREEN_END;
  return out === '' ? '' : BEGIN_FRAME + out + END_FRAME;
}

/** Draws frames on `out` in the alternate screen; `close` gives the terminal back as it was. */
export class ScreenPainter {
  private shown: readonly string[] | null = null;

  constructor(private readonly out: LogOutput) {}

  open(): void {
    this.out.write(ENTER_SCREEN);
  }

  draw(lines: readonly string[], size: TerminalSize): void {
    const bytes = frameUpdate(this.shown, lines, size);
    if (bytes !== '') this.out.write(bytes);
    this.shown = lines;
  }

  /** Forgets what the screen shows, so that the next frame rewrites all of it (after a resize). */
  invalidate(): void {
    this.shown = null;
  }

  close(): void {
    this.out.write(LEAVE_SCREEN);
  }
}
