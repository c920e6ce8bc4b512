/** The most recent cluster events, newest last, one line each. */
import type { ClusterEvent, ClusterEventType } from '../../ops/snapshot.js';
import { clockTime } from './format.js';
import { fitLine, span, type Line, type Tone } from './line.js';

/** How many events the status view shows. */
export const RECENT_EVENTS = 5;

const TONE: Readonly<Partial<Record<ClusterEventType, Tone>>> = {
  join: 'good',
  alive: 'good',
  suspect: 'warn',
  dead: 'bad',
  left: 'muted',
  reap: 'muted',
  leader: 'mark',
  quorum: 'mark',
};

/** "10:41:17  leader   Following new leader: node001" for the last RECENT_EVENTS events; none when there are none. */
export function eventLines(events: readonly ClusterEvent[], width: number): Line[] {
  return events.slice(-RECENT_EVENTS).map((e) => fitLine([span(clockTime(e.time), 'muted'), { text: '  ' }, span(e.type, TONE[e.type]), { text: ' '.repeat(Math.max(2, 9 - e.type.length)) }, span(e.message)], width));
}
