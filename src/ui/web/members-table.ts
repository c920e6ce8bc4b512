/**
 * The member table: one row per member, kept across updates and changed in
 * place, so that a selection or a hover survives the once-a-second redraw.
 * On narrow screens the stylesheet turns each row into a card, labelled by
 * each cell's `data-label`.
 */
import type { MemberStatus } from '../../ops/snapshot.js';
import { h, setAttribute, setText } from './dom.js';
import { formatCpu, formatLag, relativeTime } from './format.js';
import type { LoadSeries } from './load-history.js';
import { sparkline, type Sparkline } from './sparkline-svg.js';

/** Scale floors of the sparklines: below these, a line stays low instead of magnifying noise. */
const CPU_FLOOR_PERCENT = 10;
const LAG_FLOOR_MS = 10;

interface Row {
  readonly tr: HTMLTableRowElement;
  readonly badges: HTMLElement;
  readonly state: HTMLElement;
  readonly roles: HTMLElement;
  readonly address: HTMLElement;
  readonly cpu: HTMLElement;
  readonly cpuLine: Sparkline;
  readonly lag: HTMLElement;
  readonly lagLine: Sparkline;
  readonly seen: HTMLElement;
  /** What the badges and roles were last built from. */
  shownBadges: string;
  shownRoles: string;
}

export class MembersTable {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly body: HTMLElement) {}

  /** Shows `members` in their order; `agentNowMs` is the agent's clock, for "last seen". */
  render(members: readonly MemberStatus[], history: (id: string) => LoadSeries, agentNowMs: number): void {
    const ids = new Set(members.map((m) => m.id));
    for (const id of this.rows.keys()) if (!ids.has(id)) this.rows.delete(id);
    const ordered = members.map((m) => {
      const row = this.rows.get(m.id) ?? this.createRow(m.id);
      this.rows.set(m.id, row);
      update(row, m, history(m.id), agentNowMs);
      return row.tr;
    });
    const current = [...this.body.children];
    if (current.length !== ordered.length || ordered.some((tr, i) => current[i] !== tr)) this.body.replaceChildren(...ordered);
  }

  private createRow(id: string): Row {
    const cell = (label: string, ...content: HTMLElement[]): HTMLTableCellElement => h('td', { 'data-label': label }, ...content);
    const badges = h('span', { class: 'badges' });
    const state = h('span', { class: 'state' });
    const roles = h('span', { class: 'roles' });
    const address = h('span', { class: 'address' });
    const cpu = h('span', { class: 'number' });
    const lag = h('span', { class: 'number' });
    const seen = h('time');
    const cpuLine = sparkline(`CPU of ${id}, last minute`);
    const lagLine = sparkline(`event-loop lag of ${id}, last minute`);
    const tr = h(
      'tr',
      { 'data-member': id },
      h('th', { scope: 'row', 'data-label': 'Member' }, h('span', { class: 'who' }, h('span', { class: 'id' }, id), badges)),
      cell('State', state),
      cell('Roles', roles),
      cell('Address', address),
      cell('CPU', h('span', { class: 'load' }, cpu, cpuLine.element)),
      cell('Loop lag', h('span', { class: 'load' }, lag, lagLine.element)),
      cell('Last seen', seen),
    );
    return { tr, badges, state, roles, address, cpu, cpuLine, lag, lagLine, seen, shownBadges: '', shownRoles: '' };
  }
}

function update(row: Row, m: MemberStatus, series: LoadSeries, agentNowMs: number): void {
  setAttribute(row.tr, 'data-state', m.state);
  setText(row.state, m.state);
  setText(row.address, m.address || '—');

  const badges = [m.leader ? 'leader' : '', m.self ? 'this agent' : ''].filter((b) => b !== '');
  if (badges.join() !== row.shownBadges) {
    row.badges.replaceChildren(...badges.map((b) => h('span', { class: `badge badge-${b === 'leader' ? 'leader' : 'self'}` }, b)));
    row.shownBadges = badges.join();
  }
  if (m.roles.join() !== row.shownRoles || row.roles.childNodes.length === 0) {
    row.roles.replaceChildren(...(m.roles.length > 0 ? m.roles.map((r) => h('span', { class: 'chip' }, r)) : ['—']));
    row.shownRoles = m.roles.join();
  }

  setText(row.cpu, m.load ? formatCpu(m.load.cpu) : '—');
  setText(row.lag, m.load ? formatLag(m.load.lag_ms) : '—');
  row.cpuLine.draw(series.cpu, CPU_FLOOR_PERCENT);
  row.lagLine.draw(series.lag, LAG_FLOOR_MS);

  setText(row.seen, m.self ? 'now' : relativeTime(m.last_seen, agentNowMs));
  setAttribute(row.seen, 'datetime', m.last_seen ?? '');
  setAttribute(row.seen, 'title', m.last_seen ?? 'never heard from directly');
}
