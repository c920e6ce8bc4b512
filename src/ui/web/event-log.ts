/** The recent cluster events, newest first. */
import type { ClusterEvent } from '../../ops/snapshot.js';
import { h } from './dom.js';
import { clockTime } from './format.js';

/** Events shown; the snapshot keeps up to EVENT_LIMIT. */
const SHOWN_EVENTS = 50;

export class EventLog {
  /** What was drawn last, so that an unchanged log is left alone. */
  private shown: readonly ClusterEvent[] | undefined;
  private shownEmpty = '';

  constructor(private readonly list: HTMLElement) {}

  /** Draws `events`, or the line `empty` when there are none. */
  render(events: readonly ClusterEvent[], empty: string): void {
    if (events === this.shown && empty === this.shownEmpty) return;
    this.shown = events;
    this.shownEmpty = empty;
    const items = events
      .slice(-SHOWN_EVENTS)
      .reverse()
      .map((e) => h('li', { 'data-type': e.type }, h('time', { datetime: e.time, title: e.time }, clockTime(e.time)), h('span', { class: 'tag' }, e.type), h('span', { class: 'message' }, e.message)));
    this.list.replaceChildren(...(items.length > 0 ? items : [h('li', { class: 'empty' }, empty)]));
  }
}
