import { describe, expect, it } from 'vitest';
import { sparklinePath } from '../../../../src/ui/web/sparkline.js';

const box = { width: 60, height: 10, floor: 10 };

/** The points of a path "Mx,yLx,y...". */
const points = (d: string): [number, number][] =>
  d
    .slice(1)
    .split('L')
    .map((p) => p.split(',').map(Number) as [number, number]);

describe('sparklines', () => {
  it('draw nothing without samples', () => {
    expect(sparklinePath([], 60, box)).toBe('');
  });

  it('put the newest sample at the right edge and grow in from the right', () => {
    const d = points(sparklinePath([0, 2, 4], 7, box));
    expect(d).toEqual([
      [40, 10],
      [50, 8],
      [60, 6],
    ]);
  });

  it('span the whole width once full, keeping only the last `capacity` samples', () => {
    const d = points(sparklinePath([99, 1, 2, 3, 4], 4, box));
    expect(d.map(([x]) => x)).toEqual([0, 20, 40, 60]);
    expect(d).toHaveLength(4);
  });

  it('scale to the floor while samples stay well below it, and above it leave a quarter of headroom', () => {
    expect(points(sparklinePath([5, 5], 2, box)).map(([, y]) => y)).toEqual([5, 5]);
    expect(points(sparklinePath([20, 40], 2, box)).map(([, y]) => y)).toEqual([6, 2]);
  });

  it('draw a lone sample as a dot at the right edge, and treat negative or broken samples as zero', () => {
    expect(sparklinePath([10], 60, box)).toBe('M60,2h0');
    expect(points(sparklinePath([-3, Number.NaN], 2, box)).map(([, y]) => y)).toEqual([10, 10]);
  });
});
