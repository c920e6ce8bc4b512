/** The top of the status view: the cluster, the local agent, and the leader with its quorum. */
import type { MemberStateName, StatusSnapshot } from '../../ops/snapshot.js';
import { clockTime, duration } from './format.js';
import { joinParts, span, type Line, type Part, type Span } from './line.js';
import { STATE_TONE } from './palette.js';

const ALWAYS = Number.POSITIVE_INFINITY;
const STATES: readonly MemberStateName[] = ['alive', 'suspect', 'dead', 'left'];

const label = (text: string): Span => ({ text: `${text}: `, tone: 'heading' });

/** Three lines, each fitted to `width` by leaving out its least useful parts first. */
export function headerLines(s: StatusSnapshot, width: number): Line[] {
  return [joinParts(clusterParts(s), width), joinParts(agentParts(s), width), joinParts(leaderParts(s), width)];
}

function clusterParts(s: StatusSnapshot): Part[] {
  const counts = STATES.filter((state) => s.members.some((m) => m.state === state)).flatMap((state, i) => [
    ...(i === 0 ? [] : [{ text: ', ' }]),
    span(`${s.members.filter((m) => m.state === state).length} ${state}`, STATE_TONE[state]),
  ]);
  return [
    { rank: ALWAYS, spans: [label('Cluster'), span(s.cluster.name)] },
    { rank: 3, spans: [{ text: `${s.members.length} member${s.members.length === 1 ? '' : 's'}: ` }, ...counts] },
    { rank: 1, spans: [span(`${s.cluster.encrypted ? 'encrypted' : 'not encrypted'}, profile ${s.cluster.profile}`, 'muted')] },
    { rank: 2, spans: [span(`at ${clockTime(s.time)} UTC`, 'muted')] },
  ];
}

function agentParts(s: StatusSnapshot): Part[] {
  const a = s.agent;
  const healthy = a.health_score === 0;
  return [
    { rank: ALWAYS, spans: [label('Agent'), span(a.id)] },
    { rank: 2, spans: [span(`v${a.version}`)] },
    { rank: 3, spans: [span(`up ${duration(a.uptime_s)}`)] },
    { rank: 4, spans: [span(`health ${a.health_score} (${healthy ? 'healthy' : 'degraded'})`, healthy ? 'good' : 'warn')] },
    { rank: 1, spans: [span(`gossip ${a.gossip}`, 'muted')] },
    { rank: 0, spans: [span(`pid ${a.pid}`, 'muted')] },
  ];
}

function leaderParts(s: StatusSnapshot): Part[] {
  const l = s.leader;
  // "membership": this leader is the lowest ID among the members alive; the Raft role's leader is another thing, shown in its own section.
  if (l.id === null) return [{ rank: ALWAYS, spans: [label('No membership leader'), span(l.reason, 'bad')] }];
  const quorum = l.own_quorum
    ? span('(own quorum: no cluster size set)', 'muted')
    : span(`(quorum ${l.quorum.reached ? 'reached' : 'not reached'}: ${l.quorum.seen} seen, ${l.quorum.needed} needed)`, l.quorum.reached ? 'good' : 'bad');
  return [
    { rank: ALWAYS, spans: [label('Leader (membership, lowest ID)'), span(l.id, 'mark'), { text: ' ' }, quorum] },
    { rank: 1, spans: [span(`since ${clockTime(l.since)}`, 'muted')] },
    { rank: 0, spans: [span(`${l.changes} change${l.changes === 1 ? '' : 's'}`, 'muted')] },
  ];
}
