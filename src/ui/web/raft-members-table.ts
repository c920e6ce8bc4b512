/**
 * The Raft group's members: state, voter or not, the Raft address, and,
 * known to the leader only, the log index each matches and the entries each
 * trails by ('—' where unknown); a large lag is flagged with `data-large`.
 * Rows are kept across updates and changed in place, like the member table,
 * and become cards on narrow screens the same way.
 */
import { LARGE_RAFT_LAG } from '../../ops/raft-slot.js';
import type { RaftMemberStatus } from '../../ops/snapshot.js';
import { h, setAttribute, setText } from './dom.js';

interface Row {
  readonly tr: HTMLTableRowElement;
  readonly state: HTMLElement;
  readonly voter: HTMLElement;
  readonly address: HTMLElement;
  readonly match: HTMLElement;
  readonly lag: HTMLElement;
}

const count = (n: number | null): string => (n === null ? '—' : String(n));

export class RaftMembersTable {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly body: HTMLElement) {}

  /** Shows `members` in their order. */
  render(members: readonly RaftMemberStatus[]): void {
    const ids = new Set(members.map((m) => m.id));
    for (const id of this.rows.keys()) if (!ids.has(id)) this.rows.delete(id);
    const ordered = members.map((m) => {
      const row = this.rows.get(m.id) ?? createRow(m.id);
      this.rows.set(m.id, row);
      update(row, m);
      return row.tr;
    });
    const current = [...this.body.children];
    if (current.length !== ordered.length || ordered.some((tr, i) => current[i] !== tr)) this.body.replaceChildren(...ordered);
  }
}

function createRow(id: string): Row {
  const cell = (label: string, content: HTMLElement): HTMLTableCellElement => h('td', { 'data-label': label }, content);
  const state = h('span', { class: 'state' });
  const voter = h('span');
  const address = h('span', { class: 'address' });
  const match = h('span', { class: 'number' });
  const lag = h('span', { class: 'number lag' });
  const tr = h(
    'tr',
    { 'data-raft-member': id },
    h('th', { scope: 'row', 'data-label': 'Member' }, h('span', { class: 'id' }, id)),
    cell('State', state),
    cell('Voter', voter),
    cell('Address', address),
    cell('Match', match),
    cell('Lag', lag),
  );
  return { tr, state, voter, address, match, lag };
}

function update(row: Row, m: RaftMemberStatus): void {
  setAttribute(row.tr, 'data-state', m.state);
  setText(row.state, m.state);
  setText(row.voter, m.voter ? 'yes' : 'no');
  setText(row.address, m.address ?? '—');
  setText(row.match, count(m.match));
  setText(row.lag, count(m.lag));
  setAttribute(row.lag, 'data-large', String(m.lag !== null && m.lag > LARGE_RAFT_LAG));
  setAttribute(row.lag, 'title', m.lag === null ? 'known to the leader only' : `${m.lag} entries behind the leader's log`);
}
