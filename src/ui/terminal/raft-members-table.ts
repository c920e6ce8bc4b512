/**
 * The Raft group's members as this agent sees them: state, voter or not, the
 * Raft address, and, known to the leader only, how far each member's log
 * matches and how many entries it trails by ('-' where unknown); a large lag
 * stands out. At narrow widths the address goes first, then the IDs shrink;
 * ID, state and lag always stay.
 */
import { LARGE_RAFT_LAG } from '../../ops/raft-slot.js';
import type { RaftMemberStatus } from '../../ops/snapshot.js';
import { span, type Line, type Tone } from './line.js';
import { renderTable, type Column, type Narrowing } from './table.js';

const STATE_TONE: Readonly<Record<RaftMemberStatus['state'], Tone | undefined>> = { leader: 'mark', follower: undefined, learner: 'muted' };

const count = (n: number | null): string => (n === null ? '-' : String(n));

const COLUMNS: readonly Column<RaftMemberStatus>[] = [
  { header: '', cell: (m) => (m.state === 'leader' ? span('*', 'mark') : span('')) },
  { header: 'MEMBER', cell: (m) => span(m.id), cut: 'middle', comfortable: 24, min: 12, gap: 1 },
  { header: 'STATE', cell: (m) => span(m.state, STATE_TONE[m.state]) },
  { header: 'VOTER', cell: (m) => (m.voter ? span('yes') : span('no', 'muted')) },
  { header: 'ADDRESS', cell: (m) => (m.address === null ? span('-', 'muted') : span(m.address)) },
  { header: 'MATCH', cell: (m) => span(count(m.match), m.match === null ? 'muted' : undefined), align: 'right' },
  { header: 'LAG', cell: (m) => span(count(m.lag), m.lag === null ? 'muted' : m.lag > LARGE_RAFT_LAG ? 'warn' : undefined), align: 'right' },
];

const NARROWINGS: readonly Narrowing[] = [{ shrink: 'comfortable' }, { hide: 'ADDRESS' }, { shrink: 'min' }, { hide: 'VOTER' }, { hide: 'MATCH' }];

/** Header then one line per member, in the slot's order, the leader marked '*'. */
export function raftMembersTable(members: readonly RaftMemberStatus[], width: number): Line[] {
  return renderTable(COLUMNS, members, width, NARROWINGS);
}
