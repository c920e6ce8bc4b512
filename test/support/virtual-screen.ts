/**
 * Reads what a full-screen command wrote as a terminal would show it: enough
 * of VT100 for `status --watch` (alternate screen, cursor visibility, moves to
 * the start of a row, clear below), colours ignored.
 */
export interface Screen {
  /** The rows of the alternate screen, top first, without colour. */
  readonly rows: readonly string[];
  readonly alternate: boolean;
  readonly cursorVisible: boolean;
}

export function readScreen(output: string): Screen {
  let rows: string[] = [];
  let row = 0;
  let alternate = false;
  let cursorVisible = true;
  let at = 0;
  // Sequences the view uses: ESC [ params letter.
  // eslint-disable-next-line no-control-regex -- finding escape sequences is the point
  const sequence = /\x1b\[(\??[\d;]*)([A-Za-z])/g;
  const write = (text: string): void => {
    if (text !== '') rows[row] = (rows[row] ?? '') + text;
  };
  for (const m of output.matchAll(sequence)) {
    write(output.slice(at, m.index));
    at = m.index + m[0].length;
    const [, params = '', letter] = m;
    if (letter === 'H') {
      row = Number(params.split(';')[0] || '1') - 1;
      rows[row] = '';
    } else if (letter === 'J') rows = rows.slice(0, row);
    else if (params === '?1049' && letter === 'h') [alternate, rows, row] = [true, [], 0];
    else if (params === '?1049' && letter === 'l') alternate = false;
    else if (params === '?25') cursorVisible = letter === 'h';
  }
  write(output.slice(at));
  return { rows: Array.from(rows, (r) => r ?? ''), alternate, cursorVisible };
}
