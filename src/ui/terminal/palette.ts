/** Turns tones into colours: a 16-colour palette, or none at all. */
import { Chalk, type ChalkInstance } from 'chalk';
import type { MemberStateName } from '../../ops/snapshot.js';
import type { Line, Tone } from './line.js';

export type Paint = (line: Line) => string;

const STYLES: Readonly<Record<Tone, (c: ChalkInstance) => ChalkInstance>> = {
  heading: (c) => c.bold,
  good: (c) => c.green,
  warn: (c) => c.yellow,
  bad: (c) => c.red,
  muted: (c) => c.gray,
  mark: (c) => c.bold.yellow,
};

/** Paints lines with ANSI colours when `color`, else leaves them plain (no escape codes at all). */
export function painter(color: boolean): Paint {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  return (line) => line.map((s) => (s.tone === undefined ? s.text : STYLES[s.tone](chalk)(s.text))).join('');
}

/** The colour of each member state: alive green, suspect yellow, dead red, left gray. */
export const STATE_TONE: Readonly<Record<MemberStateName, Tone>> = { alive: 'good', suspect: 'warn', dead: 'bad', left: 'muted' };
