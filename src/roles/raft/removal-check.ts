/**
 * Finds out whether this member was removed from its group. A removed
 * member is usually never told: the leader stops sending to it as soon as it
 * appends the removal, so the member's own configuration still lists it and
 * it waits for a leader forever. While it knows no leader, this asks the
 * members it knows (their `/v1/raft/peers?stale`) and, through them, the
 * leader they name; when that leader, at a term at least this member's,
 * lists it no more, the member is `removed` until it hears from a leader
 * again (it was added back). Only the leader's own answer counts: a lagging
 * follower's list may lack a member just added.
 */
import { formatHostPort, parseHostPort, type HostPort } from '../../config/values.js';
import type { RaftStatus } from '../../core/raft/types.js';
import type { Logger } from '../../ops/log.js';

/**
 * How often a member without a leader asks, in ms. Not a setting: elections
 * take a few hundred ms, so an answer within seconds is soon enough, and a
 * leaderless member asks its few peers at most this often.
 */
export const REMOVAL_CHECK_MS = 2_000;
const ASK_TIMEOUT_MS = 1_000;

/** What a member answered to `GET /v1/raft/peers?stale` (`peerList` in view.ts). */
export interface PeerAnswer {
  readonly leader: string | null;
  readonly term: number;
  readonly peers: readonly { readonly id: string; readonly address: string | null }[];
}

export interface RemovalCheckSources {
  readonly id: string;
  status(): RaftStatus | undefined;
  resolve(id: string): HostPort | undefined;
  /** `GET /v1/raft/peers?stale` at `at`; undefined when it cannot be had. */
  ask(at: HostPort): Promise<PeerAnswer | undefined>;
  readonly log: Logger;
}

/** Whether the leader's own answer (`answer` from `from`), at `term` or later, leaves `self` out. */
export function leaderLeavesOut(self: string, term: number, from: string, answer: PeerAnswer): boolean {
  return answer.leader === from && answer.term >= term && !answer.peers.some((p) => p.id === self);
}

export class RemovalCheck {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private removedAtTerm: number | undefined;

  constructor(private readonly src: RemovalCheckSources) {}

  /** Whether the group's leader was last seen not to list this member. */
  get removed(): boolean {
    return this.removedAtTerm !== undefined;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), REMOVAL_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One round: clears the flag while a leader is known, otherwise asks. Never rejects. */
  async tick(): Promise<void> {
    const status = this.src.status();
    if (status === undefined) return;
    if (status.leader !== null) {
      if (this.removedAtTerm !== undefined) this.src.log.info('a Raft leader is heard again: this member is in the group');
      this.removedAtTerm = undefined;
      return;
    }
    if (this.checking) return;
    this.checking = true;
    try {
      const removed = await this.leaderSaysRemoved(status);
      if (removed && this.removedAtTerm === undefined) this.src.log.warn('this member is no longer in the Raft group: its leader does not list it; add it again with `dinc-agent raft add`, or stop it');
      this.removedAtTerm = removed ? status.term : undefined;
    } catch {
      // A failed round says nothing; the next one asks again.
    } finally {
      this.checking = false;
    }
  }

  private async leaderSaysRemoved(status: RaftStatus): Promise<boolean> {
    const others = [...status.conf.voters, ...status.conf.learners].filter((id) => id !== this.src.id);
    const named = new Map<string, HostPort>();
    for (const id of others) {
      const at = this.src.resolve(id);
      if (at === undefined) continue;
      const answer = await this.src.ask(at);
      if (answer === undefined || answer.leader === null) continue;
      if (answer.leader === id) return leaderLeavesOut(this.src.id, status.term, id, answer);
      const leaderAt = answer.peers.find((p) => p.id === answer.leader)?.address ?? null;
      const resolved = leaderAt === null ? this.src.resolve(answer.leader) : safeParse(leaderAt);
      if (resolved !== undefined && answer.leader !== this.src.id) named.set(answer.leader, resolved);
    }
    for (const [leader, at] of named) {
      const answer = await this.src.ask(at);
      if (answer !== undefined && answer.leader === leader) return leaderLeavesOut(this.src.id, status.term, leader, answer);
    }
    return false;
  }
}

function safeParse(address: string): HostPort | undefined {
  try {
    return parseHostPort(address);
  } catch {
    return undefined;
  }
}

/** Asks a member's Raft listener over HTTP, with the API token when one is set. */
export async function askPeers(at: HostPort, token: string): Promise<PeerAnswer | undefined> {
  try {
    const headers: Record<string, string> = token === '' ? {} : { authorization: `Bearer ${token}` };
    const res = await fetch(`http://${formatHostPort(at)}/v1/raft/peers?stale`, { headers, signal: AbortSignal.timeout(ASK_TIMEOUT_MS) });
    if (res.status !== 200) return undefined;
    const body = (await res.json()) as { leader?: unknown; term?: unknown; peers?: unknown };
    if (typeof body.term !== 'number' || !Array.isArray(body.peers) || (body.leader !== null && typeof body.leader !== 'string')) return undefined;
    const peers = (body.peers as unknown[]).flatMap((p) => {
      const { id, address } = (p ?? {}) as { id?: unknown; address?: unknown };
      return typeof id === 'string' ? [{ id, address: typeof address === 'string' ? address : null }] : [];
    });
    return { leader: body.leader ?? null, term: body.term, peers };
  } catch {
    return undefined;
  }
}
