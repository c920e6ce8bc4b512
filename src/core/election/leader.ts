/**
 * Leader by node ID, with quorum: the lowest natural-order ID among the
 * members this agent sees alive, but only while it sees a majority of the
 * expected cluster. Without a majority there is no leader (no split brain).
 */
import { compareNatural } from './natural-order.js';

export interface ElectionInput {
  /** IDs of the members seen alive, this agent included: they make the quorum. */
  readonly alive: readonly string[];
  /**
   * IDs of suspected members: they may stay leader (no flapping on a passing
   * suspicion) but do not count towards the quorum, so a member cut off from
   * the others gives up its leader as soon as it doubts a majority.
   */
  readonly suspected?: readonly string[];
  /** Expected cluster size: `[cluster] expect`, else the `[nodes]` count; 0 = none (the agent is its own quorum). */
  readonly expected: number;
  /** The leader before this election, if any. */
  readonly previous: string | null;
  /** Whether a returning lower ID takes over from a live leader (GoCluster: yes). */
  readonly preempt: boolean;
}

export interface Election {
  readonly leader: string | null;
  /** Members needed for a quorum, and members seen. */
  readonly quorum: { readonly needed: number; readonly seen: number; readonly reached: boolean };
  /** Why there is or is not a leader, for the status. */
  readonly reason: string;
}

export function elect(input: ElectionInput): Election {
  const seen = input.alive.length;
  const needed = input.expected > 0 ? Math.floor(input.expected / 2) + 1 : 1;
  const reached = seen >= needed;
  const quorum = { needed, seen, reached };
  if (!reached) {
    return { leader: null, quorum, reason: `no quorum: sees ${seen} of the ${needed} members needed (majority of ${input.expected})` };
  }
  const eligible = [...input.alive, ...(input.suspected ?? [])];
  const lowest = eligible.sort(compareNatural)[0] ?? null;
  if (!input.preempt && input.previous !== null && eligible.includes(input.previous)) {
    return { leader: input.previous, quorum, reason: 'the leader is alive and leader_preempt is off' };
  }
  const basis = input.expected > 0 ? `quorum ${seen}/${input.expected}` : 'no expected size set: this agent is its own quorum';
  return { leader: lowest, quorum, reason: `lowest ID among the members seen alive (${basis})` };
}
