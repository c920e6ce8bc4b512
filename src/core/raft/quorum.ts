/** Majority maths over a configuration's voters. Learners never count. */
import type { ConfState, NodeId } from './types.js';

export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** The highest index that a majority of voters have (`matchOf` gives each voter's match); 0 with no voters. */
export function committedIndex(conf: ConfState, matchOf: (id: NodeId) => number): number {
  if (conf.voters.length === 0) return 0;
  const matches = conf.voters.map(matchOf).sort((a, b) => b - a);
  return matches[majority(matches.length) - 1] ?? 0;
}

export type VoteResult = 'won' | 'lost' | 'pending';

/** The outcome of an election given the answers so far (true: granted). Answers from non-voters are ignored. */
export function voteResult(conf: ConfState, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const id of conf.voters) {
    const vote = votes.get(id);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const needed = majority(conf.voters.length);
  if (granted >= needed) return 'won';
  if (conf.voters.length - rejected < needed) return 'lost';
  return 'pending';
}

/** True when the voters for which `holds` is true form a majority. */
export function hasQuorum(conf: ConfState, holds: (id: NodeId) => boolean): boolean {
  return conf.voters.filter(holds).length >= majority(conf.voters.length);
}
