/** The warnings of the status view: each one in full, wrapped at word boundaries to the width. */
import type { Line } from './line.js';
import { printable, textWidth } from './text.js';
import { fitLine } from './line.js';

const MARK = '! ';
const INDENT = '  ';

/** One or more lines per warning, `! ` before its first; a word longer than a line is cut. */
export function warningLines(warnings: readonly string[], width: number): Line[] {
  return warnings.flatMap((w) => wrap(printable(w), width - MARK.length).map((text, i) => fitLine([{ text: `${i === 0 ? MARK : INDENT}${text}`, tone: 'warn' }], width)));
}

function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter((w) => w !== '')) {
    if (line !== '' && textWidth(`${line} ${word}`) > columns) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return line === '' ? lines : [...lines, line];
}
