/**
 * Text as a terminal shows it: how many columns it takes, and how to cut or
 * pad it to a number of columns. Works on plain text; colour is added after.
 */

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const WIDE = /^[\p{Emoji_Presentation}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff01-\uff60\uffe0-\uffe6]$/u;

export const ELLIPSIS = '…';

/** `text` with every control character (escape included) replaced, so text from the wire cannot drive the terminal. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/[\t\n\r]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Columns one character takes: 0 for combining marks, 2 for East Asian wide characters and emoji, else 1. */
function charWidth(char: string): number {
  if (ZERO_WIDTH.test(char)) return 0;
  return WIDE.test(char) ? 2 : 1;
}

/** Columns that printable `text` takes. */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** The longest start of `text` that fits in `columns`. */
function head(text: string, columns: number): string {
  let out = '';
  let width = 0;
  for (const char of text) {
    width += charWidth(char);
    if (width > columns) break;
    out += char;
  }
  return out;
}

/** The longest end of `text` that fits in `columns`. */
function tail(text: string, columns: number): string {
  const chars = [...text];
  let out = '';
  let width = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const char = chars[i] ?? '';
    width += charWidth(char);
    if (width > columns) break;
    out = char + out;
  }
  return out;
}

/** `text` in at most `columns`, its end replaced by '…' when cut. */
export function cutEnd(text: string, columns: number): string {
  if (textWidth(text) <= columns) return text;
  return columns <= 0 ? '' : head(text, columns - 1) + ELLIPSIS;
}

/** `text` in at most `columns`, its middle replaced by '…' when cut: both ends stay, as IDs differ at either. */
export function cutMiddle(text: string, columns: number): string {
  if (textWidth(text) <= columns) return text;
  if (columns <= 0) return '';
  const room = columns - 1;
  return head(text, Math.ceil(room / 2)) + ELLIPSIS + tail(text, Math.floor(room / 2));
}
