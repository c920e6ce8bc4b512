/**
 * The raft role's own part of the status view: one summary line (the state
 * and any disk failure, which always stay, then term, leader, indexes, keys)
 * and the table of the group's members. When the width is short the summary
 * leaves out its least useful parts first.
 */
import type { RaftRoleStatus } from '../../ops/snapshot.js';
import { joinParts, span, type Line, type Part, type Span, type Tone } from './line.js';
import { raftMembersTable } from './raft-members-table.js';

const ALWAYS = Number.POSITIVE_INFINITY;

const STATE_TONE: Readonly<Record<RaftRoleStatus['state'], Tone>> = {
  leader: 'mark',
  follower: 'good',
  candidate: 'warn',
  'pre-candidate': 'warn',
  waiting: 'warn',
  removed: 'bad',
  failed: 'bad',
};

/** "name value", the name muted. */
const pair = (name: string, value: Span): Span[] => [{ text: `${name} `, tone: 'muted' }, value];

function summaryParts(r: RaftRoleStatus): Part[] {
  return [
    // The disk's trouble is part of the state, so that it stays when the line is short (cut at its end, if need be).
    { rank: ALWAYS, spans: [...pair('state', span(r.state, STATE_TONE[r.state])), ...storageSpans(r)] },
    { rank: 8, spans: pair('term', span(String(r.term))) },
    { rank: 7, spans: pair('raft leader', r.leader === null ? span('none', 'warn') : span(r.leader, 'mark')) },
    { rank: 6, spans: pair('commit', span(String(r.commit_index))) },
    { rank: 5, spans: pair('applied', span(String(r.applied_index))) },
    { rank: 4, spans: pair('keys', span(String(r.keys))) },
    { rank: 3, spans: pair('snapshot', span(String(r.snapshot_index))) },
    { rank: 2, spans: pair('last', span(String(r.last_index))) },
    ...(r.listen === null ? [] : [{ rank: 1, spans: pair('listen', span(r.listen)) }]),
  ];
}

function storageSpans(r: RaftRoleStatus): Span[] {
  if (r.storage_failure !== null) return [{ text: '  ' }, span(`storage failed: ${r.storage_failure}`, 'bad')];
  if (r.storage_retrying) return [{ text: '  ' }, span(`storage: ${r.storage_retrying}`, 'warn')];
  if (r.state === 'removed') return [{ text: '  ' }, span('not a member of the Raft group', 'bad')];
  return [];
}

/** The summary line, then the members table when the group has members. */
export function raftLines(r: RaftRoleStatus, width: number): Line[] {
  return [joinParts(summaryParts(r), width), ...(r.members.length === 0 ? [] : raftMembersTable(r.members, width))];
}
