/**
 * A table that fits a width: columns keep their natural width while they
 * can; when the table is too wide it is narrowed step by step, in the order
 * the caller gives (shrink the columns that may be cut, hide others), until
 * it fits. Lines never wrap; a table that cannot fit even narrowed is cut.
 */
import { fitLine, type Line, type Span } from './line.js';
import { cutEnd, cutMiddle, textWidth } from './text.js';

export interface Column<Row> {
  readonly header: string;
  readonly cell: (row: Row) => Span;
  readonly align?: 'left' | 'right';
  /** How a cell too long for the column is cut: 'middle' keeps both ends, 'end' keeps the start. Without it the column is never cut, only hidden. */
  readonly cut?: 'middle' | 'end';
  /** Width a cut column shrinks to at the 'comfortable' step. */
  readonly comfortable?: number;
  /** Width a cut column shrinks to at the 'min' step; never below its header. */
  readonly min?: number;
  /** Spaces before the column. Default 2. */
  readonly gap?: number;
}

/** One way to narrow the table, tried in order: hide the column with this header, or shrink the cut columns. */
export type Narrowing = { readonly hide: string } | { readonly shrink: 'comfortable' | 'min' };

/** Header line then one line per row, every line at most `width` columns. */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[], width: number, narrowings: readonly Narrowing[]): Line[] {
  const cells = rows.map((row) => columns.map((c) => c.cell(row)));
  const natural = columns.map((c, i) => Math.max(textWidth(c.header), ...cells.map((r) => textWidth(r[i]?.text ?? ''))));
  const widths = fit(columns, natural, width, narrowings);
  const line = (texts: readonly Span[]): Line => {
    const spans: Span[] = [];
    for (const [i, c] of columns.entries()) {
      const w = widths[i];
      if (w === null || w === undefined) continue;
      if (spans.length > 0) spans.push({ text: ' '.repeat(c.gap ?? 2) });
      const s = texts[i] ?? { text: '' };
      const text = c.cut === 'middle' ? cutMiddle(s.text, w) : cutEnd(s.text, w);
      const fill = ' '.repeat(Math.max(0, w - textWidth(text)));
      spans.push(...(c.align === 'right' ? [{ text: fill }, { ...s, text }] : [{ ...s, text }, { text: fill }]));
    }
    return fitLine(spans, width);
  };
  return [line(columns.map((c) => ({ text: c.header, tone: 'heading' }))), ...cells.map(line)];
}

/** Each column's width (null: hidden) at the first narrowing step that fits, spare columns shared out again. */
function fit<Row>(columns: readonly Column<Row>[], natural: readonly number[], width: number, narrowings: readonly Narrowing[]): (number | null)[] {
  let widths: (number | null)[] = [];
  for (let step = 0; step <= narrowings.length; step++) {
    widths = widthsAfter(columns, natural, narrowings.slice(0, step));
    const spare = width - total(columns, widths);
    if (spare >= 0) return widen(columns, widths, natural, spare);
  }
  return widths;
}

function widthsAfter<Row>(columns: readonly Column<Row>[], natural: readonly number[], steps: readonly Narrowing[]): (number | null)[] {
  const hidden = new Set(steps.flatMap((s) => ('hide' in s ? [s.hide] : [])));
  const shrink = steps.flatMap((s) => ('shrink' in s ? [s.shrink] : [])).at(-1);
  return columns.map((c, i) => {
    const w = natural[i] ?? 0;
    if (hidden.has(c.header)) return null;
    if (c.cut === undefined || shrink === undefined) return w;
    const target = shrink === 'min' ? (c.min ?? 0) : (c.comfortable ?? w);
    return Math.min(w, Math.max(textWidth(c.header), target));
  });
}

function total<Row>(columns: readonly Column<Row>[], widths: readonly (number | null)[]): number {
  let sum = 0;
  let first = true;
  for (const [i, c] of columns.entries()) {
    const w = widths[i];
    if (w === null || w === undefined) continue;
    sum += w + (first ? 0 : (c.gap ?? 2));
    first = false;
  }
  return sum;
}

/** Gives `spare` columns back to the shrunk columns, in their order (the first matters most), up to their natural widths. */
function widen<Row>(columns: readonly Column<Row>[], widths: readonly (number | null)[], natural: readonly number[], spare: number): (number | null)[] {
  let left = spare;
  return columns.map((c, i) => {
    const w = widths[i];
    if (c.cut === undefined || w === null || w === undefined) return w ?? null;
    const give = Math.min(left, Math.max(0, (natural[i] ?? 0) - w));
    left -= give;
    return w + give;
  });
}
