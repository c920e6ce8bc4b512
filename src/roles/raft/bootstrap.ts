/**
 * The state a member starts from. What is on disk always wins. A fresh data
 * directory forms a group from `[raft] peers`, or from the first
 * `bootstrap_expect` raft-role agents alive in gossip (lowest IDs; the same
 * answer on every one of them), or with bootstrap_expect = 0 starts empty and
 * waits for the leader to add it. A formed group's first configuration is
 * written to disk before anything else, so a restart never forms another.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { compareNatural } from '../../core/election/natural-order.js';
import type { Member } from '../../core/membership/types.js';
import { bootstrapState, joinState, type NodeId, type PersistedState } from '../../core/raft/types.js';
import type { Logger } from '../../ops/log.js';
import type { RaftStorage } from '../../runtime/raft/raft-storage.js';

export interface BootstrapInput {
  readonly id: NodeId;
  readonly peers: readonly NodeId[];
  readonly expect: number;
  readonly storage: RaftStorage;
  readonly members: () => readonly Member[];
  readonly log: Logger;
  /** Aborts the wait for gossip (the agent is stopping). */
  readonly signal: AbortSignal;
}

/** How often a member waiting to form or join the group looks at gossip again. Not a setting: a poll of local state. */
const POLL_MS = 200;
/** How often that wait is logged. Not a setting: only the log's volume. */
const REPORT_EVERY_MS = 10_000;

export async function initialState(input: BootstrapInput): Promise<PersistedState> {
  const stored = input.storage.state();
  if (stored.snapshot !== undefined || stored.entries.length > 0 || stored.hardState.term > 0) return stored;
  if (input.peers.length > 0) return form(input, input.peers, '[raft] peers');
  if (input.expect === 0) {
    input.log.info('waiting to be added to a Raft group (bootstrap_expect = 0): run `dinc-agent raft add` on a member');
    return joinState();
  }
  if (input.expect === 1) return form(input, [input.id], 'bootstrap_expect = 1');
  const voters = await expectedVoters(input);
  if (voters.includes(input.id)) return form(input, voters, `bootstrap_expect = ${input.expect}`);
  input.log.info(`not among the first ${input.expect} raft members (${voters.join(', ')}): waiting to be added with \`dinc-agent raft add\``);
  return joinState();
}

async function form(input: BootstrapInput, voters: readonly NodeId[], from: string): Promise<PersistedState> {
  const state = bootstrapState(voters);
  if (state.snapshot) await input.storage.saveSnapshot(state.snapshot);
  input.log.info(`formed a new Raft group from ${from}`, { voters: voters.join(',') });
  return state;
}

/** Waits until `expect` raft-role agents are alive in gossip; the lowest `expect` IDs. */
async function expectedVoters(input: BootstrapInput): Promise<NodeId[]> {
  let reportAt = 0;
  for (let waited = 0; ; waited += POLL_MS) {
    const ids = input.members()
      .filter((m) => m.state === 'alive' && m.meta.roles.includes('raft'))
      .map((m) => m.id)
      .sort(compareNatural);
    if (ids.length >= input.expect) return ids.slice(0, input.expect);
    if (waited >= reportAt) {
      input.log.info(`waiting for ${input.expect} raft members in gossip to form the group; ${ids.length} so far`, { seen: ids.join(',') });
      reportAt += REPORT_EVERY_MS;
    }
    await sleep(POLL_MS, undefined, { signal: input.signal });
  }
}
