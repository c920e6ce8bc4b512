/**
 * A line of the status view before it is painted: spans of plain text, each
 * with a tone. Widths are measured and lines cut on these, so colour codes
 * never count towards a width.
 */
import { ELLIPSIS, printable, textWidth } from './text.js';

/** What a span means; the palette turns it into a colour. */
export type Tone = 'heading' | 'good' | 'warn' | 'bad' | 'muted' | 'mark';

export interface Span {
  readonly text: string;
  readonly tone?: Tone;
}

export type Line = readonly Span[];

/** A span of `text` from anywhere (the snapshot, the network): control characters are replaced. */
export function span(text: string, tone?: Tone): Span {
  return tone === undefined ? { text: printable(text) } : { text: printable(text), tone };
}

export function lineWidth(line: Line): number {
  return line.reduce((sum, s) => sum + textWidth(s.text), 0);
}

/** `line` in at most `width` columns: cut at the end, with '…' where something was cut; trailing spaces dropped. */
export function fitLine(line: Line, width: number): Line {
  const trimmed = trimEnd(line);
  if (lineWidth(trimmed) <= width) return trimmed;
  if (width <= 0) return [];
  const out: Span[] = [];
  let room = width - 1;
  for (const s of trimmed) {
    const w = textWidth(s.text);
    if (w <= room) {
      out.push(s);
      room -= w;
      continue;
    }
    let text = '';
    for (const char of s.text) {
      if (textWidth(text + char) > room) break;
      text += char;
    }
    out.push({ ...s, text: text + ELLIPSIS });
    return out;
  }
  return out;
}

function trimEnd(line: Line): Line {
  const out = [...line];
  while (out.length > 0) {
    const last = out[out.length - 1] as Span;
    const text = last.text.trimEnd();
    if (text !== '') {
      out[out.length - 1] = { ...last, text };
      break;
    }
    out.pop();
  }
  return out;
}

/** A piece of a line that can be left out when the line is too long; lower `rank`s go first. */
export interface Part {
  readonly spans: Line;
  readonly rank: number;
}

/** The parts joined by `gap`, leaving out the lowest-ranked ones until the line fits `width`, then cut to fit. */
export function joinParts(parts: readonly Part[], width: number, gap = '  '): Line {
  let kept = [...parts];
  const join = (ps: readonly Part[]): Line => ps.flatMap((p, i) => (i === 0 ? p.spans : [{ text: gap }, ...p.spans]));
  while (lineWidth(join(kept)) > width && kept.length > 1) {
    const lowest = kept.reduce((a, b) => (b.rank < a.rank ? b : a));
    kept = kept.filter((p) => p !== lowest);
  }
  return fitLine(join(kept), width);
}
