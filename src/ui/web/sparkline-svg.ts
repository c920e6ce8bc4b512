/** A sparkline as an inline SVG element that redraws in place. */
import { s } from './dom.js';
import { HISTORY_SAMPLES } from './load-history.js';
import { sparklinePath } from './sparkline.js';

const WIDTH = 60;
const HEIGHT = 16;

export interface Sparkline {
  readonly element: SVGSVGElement;
  /** Draws the last HISTORY_SAMPLES of `values`, scaled so that `floor` or the highest sample touches the top. */
  draw(values: readonly number[], floor: number): void;
}

export function sparkline(label: string): Sparkline {
  const path = s('path');
  const element = s('svg', { class: 'spark', viewBox: `-1 -1 ${WIDTH + 2} ${HEIGHT + 2}`, 'aria-label': label, role: 'img' }, path);
  return {
    element,
    draw(values, floor) {
      const d = sparklinePath(values, HISTORY_SAMPLES, { width: WIDTH, height: HEIGHT, floor });
      if (path.getAttribute('d') !== d) path.setAttribute('d', d);
    },
  };
}
