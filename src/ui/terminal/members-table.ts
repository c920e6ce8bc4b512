/**
 * The members table: who is in the cluster, in what state, doing what, how
 * loaded, and when this agent last heard from them. At narrow widths the
 * extras go first, then the IDs and roles shrink, then the least useful
 * columns; ID and state always stay.
 */
import type { MemberStatus } from '../../ops/snapshot.js';
import { ago, lag, percent } from './format.js';
import { span, type Line } from './line.js';
import { STATE_TONE } from './palette.js';
import { renderTable, type Column, type Narrowing } from './table.js';

/** Load and ages of a member that is not alive are stale: shown muted. */
const staleUnlessAlive = (m: MemberStatus) => (m.state === 'alive' ? undefined : 'muted');

function columns(now: number): Column<MemberStatus>[] {
  return [
    { header: '', cell: (m) => (m.leader ? span('*', 'mark') : span('')) },
    { header: 'MEMBER', cell: (m) => span(m.id), cut: 'middle', comfortable: 24, min: 12, gap: 1 },
    { header: 'STATE', cell: (m) => span(m.state, STATE_TONE[m.state]) },
    { header: 'ROLES', cell: (m) => span(m.roles.join(',') || '-'), cut: 'end', comfortable: 16, min: 8 },
    { header: 'ADDRESS', cell: (m) => span(m.address) },
    { header: 'CPU', cell: (m) => span(m.load ? percent(m.load.cpu) : '-', staleUnlessAlive(m)), align: 'right' },
    { header: 'LAG', cell: (m) => span(m.load ? lag(m.load.lag_ms) : '-', staleUnlessAlive(m)), align: 'right' },
    { header: 'LAST SEEN', cell: (m) => span(ago(m.last_seen, now), staleUnlessAlive(m)), align: 'right' },
    { header: 'INC', cell: (m) => span(String(m.incarnation), 'muted'), align: 'right' },
    { header: 'VERSION', cell: (m) => span(m.version || '-', 'muted') },
  ];
}

const NARROWINGS: readonly Narrowing[] = [
  { shrink: 'comfortable' },
  { hide: 'VERSION' },
  { hide: 'INC' },
  { shrink: 'min' },
  { hide: 'LAG' },
  { hide: 'ROLES' },
  { hide: 'ADDRESS' },
  { hide: 'CPU' },
  { hide: 'LAST SEEN' },
];

/** The table's lines, leader marked '*', ages counted back from `now` (ms). */
export function membersTable(members: readonly MemberStatus[], now: number, width: number): Line[] {
  return renderTable(columns(now), members, width, NARROWINGS);
}
