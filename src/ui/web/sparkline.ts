/** The geometry of a sparkline, as an SVG path. Pure. */

export interface SparklineBox {
  readonly width: number;
  readonly height: number;
  /** The value drawn at the top when every sample is well below it, so that noise stays flat. */
  readonly floor: number;
}

/** Room left above the highest sample, as a share of it, so a steady line does not hug the top. */
const HEADROOM = 0.25;

/**
 * An SVG path through `values`, oldest at the left, the newest at the right
 * edge, zero at the bottom, the floor or the highest sample plus a quarter at
 * the top; `capacity` samples span the whole width, so the line grows in from
 * the right. Empty when there is nothing to draw.
 */
export function sparklinePath(values: readonly number[], capacity: number, box: SparklineBox): string {
  const shown = values.slice(-capacity).map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0));
  if (shown.length === 0) return '';
  const top = Math.max(box.floor, Math.max(...shown) * (1 + HEADROOM));
  const step = capacity > 1 ? box.width / (capacity - 1) : 0;
  const start = box.width - step * (shown.length - 1);
  const points = shown.map((v, i) => `${round(start + i * step)},${round(box.height - (v / top) * box.height)}`);
  return shown.length === 1 ? `M${points[0] ?? ''}h0` : `M${points.join('L')}`;
}

const round = (n: number): number => Math.round(n * 10) / 10;
