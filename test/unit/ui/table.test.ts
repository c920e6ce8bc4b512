import { describe, expect, it } from 'vitest';
import type { Line } from '../../../src/ui/terminal/line.js';
import { renderTable, type Column, type Narrowing } from '../../../src/ui/terminal/table.js';

interface Row {
  readonly id: string;
  readonly note: string;
  readonly n: number;
}

const COLUMNS: Column<Row>[] = [
  { header: 'ID', cell: (r) => ({ text: r.id }), cut: 'middle', comfortable: 10, min: 6 },
  { header: 'NOTE', cell: (r) => ({ text: r.note }), cut: 'end', comfortable: 8, min: 4 },
  { header: 'N', cell: (r) => ({ text: String(r.n) }), align: 'right' },
  { header: 'EXTRA', cell: () => ({ text: 'x' }) },
];
const NARROWINGS: Narrowing[] = [{ shrink: 'comfortable' }, { hide: 'EXTRA' }, { shrink: 'min' }, { hide: 'N' }];
const ROWS: Row[] = [
  { id: 'alpha-000000000001', note: 'a long note here', n: 7 },
  { id: 'b', note: '-', n: 1234 },
];
const text = (lines: Line[]): string[] => lines.map((l) => l.map((s) => s.text).join(''));

describe('a table that fits its width', () => {
  it('keeps natural widths when they fit, right-aligning where asked', () => {
    expect(text(renderTable(COLUMNS, ROWS, 80, NARROWINGS))).toEqual([
      'ID                  NOTE                 N  EXTRA',
      'alpha-000000000001  a long note here     7  x',
      'b                   -                 1234  x',
    ]);
  });

  it('narrows in the given order: shrink, then hide, then shrink further, and shares spare columns out again', () => {
    expect(text(renderTable(COLUMNS, ROWS, 35, NARROWINGS))).toEqual(['ID            NOTE         N  EXTRA', 'alpha-…00001  a long …     7  x', 'b             -         1234  x']);
    expect(text(renderTable(COLUMNS, ROWS, 26, NARROWINGS))).toEqual(['ID          NOTE         N', 'alpha…0001  a long …     7', 'b           -         1234']);
    expect(text(renderTable(COLUMNS, ROWS, 12, NARROWINGS))).toEqual(['ID      NOTE', 'alp…01  a l…', 'b       -']);
  });

  it('cuts the lines when even the narrowest table is too wide', () => {
    for (const line of text(renderTable(COLUMNS, ROWS, 5, NARROWINGS))) expect([...line].length).toBeLessThanOrEqual(5);
  });
});
