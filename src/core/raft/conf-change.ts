/**
 * Single-server membership changes (thesis §4.1): a change takes effect as
 * soon as its entry is appended, so the configuration is always the snapshot's
 * plus every config entry in the log, committed or not.
 */
import type { ConfChange, ConfState, Entry, NodeId } from './types.js';

/** A learner may be promoted once its match is at most this many entries behind the leader's last index. */
export const PROMOTE_MAX_LAG = 8;

export function isVoter(conf: ConfState, id: NodeId): boolean {
  return conf.voters.includes(id);
}

export function isMember(conf: ConfState, id: NodeId): boolean {
  return conf.voters.includes(id) || conf.learners.includes(id);
}

/** Everyone in the configuration, voters first. */
export function members(conf: ConfState): NodeId[] {
  return [...conf.voters, ...conf.learners];
}

/** Why `change` cannot apply to `conf`, or null when it can. */
export function confChangeProblem(conf: ConfState, change: ConfChange): string | null {
  switch (change.type) {
    case 'add-learner':
      return isMember(conf, change.node) ? `${change.node} is already a member` : null;
    case 'promote':
      return conf.learners.includes(change.node) ? null : `${change.node} is not a learner`;
    case 'remove':
      if (!isMember(conf, change.node)) return `${change.node} is not a member`;
      if (conf.voters.length === 1 && isVoter(conf, change.node)) return `${change.node} is the last voter`;
      return null;
  }
}

/** The configuration after `change` (which must be valid for `conf`). */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfState {
  const without = (ids: readonly NodeId[]): NodeId[] => ids.filter((id) => id !== change.node);
  switch (change.type) {
    case 'add-learner':
      return { voters: [...conf.voters], learners: [...conf.learners, change.node] };
    case 'promote':
      return { voters: [...conf.voters, change.node], learners: without(conf.learners) };
    case 'remove':
      return { voters: without(conf.voters), learners: without(conf.learners) };
  }
}

/** The configuration after `entries` on top of `base`; invalid changes (which a correct leader never appends) are skipped. */
export function confAfter(base: ConfState, entries: Iterable<Entry>): ConfState {
  let conf = base;
  for (const entry of entries) {
    if (entry.kind === 'config' && confChangeProblem(conf, entry.change) === null) conf = applyConfChange(conf, entry.change);
  }
  return conf;
}
