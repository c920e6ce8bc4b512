/**
 * How a Raft server gets and keeps its role: terms (§5.1), the randomized
 * election timeout, campaigns with pre-vote, votes granted once per term and
 * only to a log at least as up to date (§5.2, §5.4.1), and leader
 * stickiness (a server that hears from a leader does not help depose it).
 * RaftNode (node.ts) extends this with the log, replication and reads; the
 * leader's side of replication is in leader.ts, the follower's in
 * follower.ts.
 */
import type { Rng } from '../rng.js';
import { raftConfigProblems } from './config.js';
import type { Leader, Outgoing } from './leader.js';
import { RaftLog } from './log.js';
import { JumpStreaks, implausible, storedTermProblem } from './plausible.js';
import type { RefusalReason } from './plausible.js';
import { voteResult } from './quorum.js';
import type { ConfState, Message, NodeId, PersistedState, RaftConfig, Role } from './types.js';

type VoteRequest = Extract<Message, { type: 'pre-vote' | 'vote' }>;

export const EMPTY_CONF: ConfState = { voters: [], learners: [] };

export abstract class RaftElections {
  readonly id: NodeId;
  protected readonly log: RaftLog;
  protected term: number;
  protected vote: NodeId | null;
  protected lead: NodeId | null = null;
  protected role: Role = 'follower';
  /** The configuration in force: the snapshot's plus every config entry in the log. */
  protected conf: ConfState = EMPTY_CONF;
  protected leader: Leader | null = null;
  private readonly votes = new Map<NodeId, boolean>();
  protected ticks = 0;
  /** Started with a term above 0: it may have followed a leader before. */
  private readonly restarted: boolean;
  protected electionElapsed = 0;
  private randomizedElectionTimeout = 0;
  private readonly jumpStreaks: JumpStreaks;

  /** Validates the config and the stored term, and restores the log, term and vote. */
  constructor(
    protected readonly config: RaftConfig,
    persisted: PersistedState,
    private readonly rng: Rng,
  ) {
    const problems = raftConfigProblems(config);
    if (problems.length > 0) throw new Error(`invalid raft config: ${problems.join('; ')}`);
    const stored = storedTermProblem(persisted.hardState);
    if (stored !== null) throw new Error(`raft: ${stored}`);
    this.id = config.id;
    this.jumpStreaks = new JumpStreaks(config.electionTicks);
    this.log = new RaftLog(persisted);
    this.term = persisted.hardState.term;
    this.vote = persisted.hardState.vote;
    this.restarted = persisted.hardState.term > 0;
  }

  /** Whether this server may campaign (node.ts: voters with a log). */
  protected abstract promotable(): boolean;
  /** Takes `lead` as the known leader. */
  protected abstract setLead(lead: NodeId | null): void;
  /** Leaves the leader role, if it holds it. */
  protected abstract stopLeading(newLead: NodeId | null): void;
  /** Takes the leader role, having won the election. */
  protected abstract becomeLeader(): void;
  /** Handles a message as a follower. */
  protected abstract stepFollower(m: Message): void;
  protected abstract send(m: Outgoing, term?: number): void;

  /** One tick without leading: campaigns once the randomized election timeout has passed. */
  protected tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.campaign(this.config.preVote ? 'pre-vote' : 'vote', false);
    }
  }

  /**
   * The term rules every message passes first: a later term deposes this
   * server (unless leader stickiness ignores the request, or a pre-vote
   * keeps the term), an earlier one is answered as stale, and vote requests
   * are answered here. Returns true when the message needs nothing more.
   */
  protected stepTerm(m: Message): boolean {
    if (m.term > this.term) {
      const isVoteRequest = m.type === 'pre-vote' || m.type === 'vote';
      // Leader stickiness: while a leader is heard from, nobody may depose it (unless it hands over itself).
      if (isVoteRequest && !m.transfer && this.inLease()) return true;
      const keepsTerm = m.type === 'pre-vote' || (m.type === 'pre-vote-resp' && !m.reject);
      if (!keepsTerm) {
        const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
        // Only a leader's message (or a granted vote) restarts the election timer (Figure 2): a hopeless
        // candidate that keeps raising the term must not keep the server that can win from campaigning.
        this.becomeFollower(m.term, fromLeader ? m.from : null, fromLeader);
      }
    } else if (m.term < this.term) {
      this.answerStale(m);
      return true;
    }
    if (m.type === 'pre-vote' || m.type === 'vote') {
      this.answerVote(m);
      return true;
    }
    return false;
  }

  /**
   * A leader was heard within the election timeout (always true on the
   * leader itself). With lease reads, also during the first election timeout
   * after a restart: before the crash this server may have promised a leader
   * exactly that.
   */
  protected inLease(): boolean {
    if (this.config.leaseReads && this.restarted && this.ticks < this.config.electionTicks) return true;
    if (!this.config.preVote && !this.config.checkQuorum) return false;
    return this.lead !== null && (this.role === 'leader' || this.electionElapsed < this.config.electionTicks);
  }

  protected resetElectionTimeout(): void {
    this.electionElapsed = 0;
    this.randomizedElectionTimeout = this.config.electionTicks + this.rng.int(this.config.electionTicks);
  }

  protected becomeFollower(term: number, lead: NodeId | null, restartTimer = true): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.stopLeading(lead);
    this.role = 'follower';
    this.setLead(lead);
    this.votes.clear();
    if (restartTimer) this.resetElectionTimeout();
  }

  /** Clears the votes of the election just won; the caller goes on to lead. */
  protected wonElection(): void {
    this.role = 'leader';
    this.setLead(this.id);
    this.votes.clear();
    this.resetElectionTimeout();
  }

  private becomePreCandidate(): void {
    this.stopLeading(null);
    this.role = 'pre-candidate';
    this.setLead(null);
    this.votes.clear();
  }

  private becomeCandidate(): void {
    this.stopLeading(null);
    this.term++;
    this.vote = this.id;
    this.role = 'candidate';
    this.setLead(null);
    this.votes.clear();
    this.resetElectionTimeout();
  }

  protected campaign(kind: 'pre-vote' | 'vote', transfer: boolean): void {
    if (!this.promotable()) return;
    if (kind === 'pre-vote') this.becomePreCandidate();
    else this.becomeCandidate();
    // A pre-vote asks for the term this server would campaign in, without moving to it.
    const term = kind === 'pre-vote' ? this.term + 1 : this.term;
    this.votes.set(this.id, true);
    if (this.tallyVotes()) return;
    for (const to of this.conf.voters) {
      if (to !== this.id) this.send({ type: kind, to, lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm(), transfer }, term);
    }
  }

  /** Why `m` is refused before it can change anything (plausible.ts), or null. A member that insists on a far higher term is believed in the end. */
  protected refusal(m: Message): RefusalReason | null {
    const reason = implausible(m, this.term) ?? this.refuseTimeoutNow(m);
    const member = this.conf.voters.length === 0 || this.conf.voters.includes(m.from) || this.conf.learners.includes(m.from);
    return reason === 'term-jump' && member && this.jumpStreaks.insisted(m.from, this.ticks) ? null : reason;
  }

  /** A timeout-now is honoured only from the leader this voter follows, in its term; anything else could only be forged. */
  protected refuseTimeoutNow(m: Message): RefusalReason | null {
    if (m.type !== 'timeout-now') return null;
    return m.term === this.term && this.role === 'follower' && m.from === this.lead && this.promotable() ? null : 'timeout-now';
  }

  /** Acts on the election's outcome so far; returns true if it is decided. */
  private tallyVotes(): boolean {
    const result = voteResult(this.conf, this.votes);
    if (result === 'won') {
      if (this.role === 'pre-candidate') this.campaign('vote', false);
      else this.becomeLeader();
    } else if (result === 'lost') {
      this.becomeFollower(this.term, null);
    }
    return result !== 'pending';
  }

  /**
   * §5.2 and §5.4.1: one vote per term, only for a log at least as up to
   * date. A pre-vote is granted for a later term without moving to it.
   */
  private answerVote(m: VoteRequest): void {
    const type = m.type === 'pre-vote' ? 'pre-vote-resp' : 'vote-resp';
    const canVote = this.vote === m.from || (this.vote === null && this.lead === null) || (m.type === 'pre-vote' && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.lastIndex, m.lastTerm)) {
      if (m.type === 'vote') {
        this.vote = m.from;
        this.electionElapsed = 0;
      }
      this.send({ type, to: m.from, reject: false }, m.term);
    } else {
      this.send({ type, to: m.from, reject: true });
    }
  }

  /** A message of an older term: tell a stale leader or candidate the current term, ignore the rest. */
  private answerStale(m: Message): void {
    if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
      this.send({ type: 'append-resp', to: m.from, reject: false, index: 0, hintIndex: 0, hintTerm: 0 });
    } else if (m.type === 'pre-vote' || m.type === 'vote') {
      this.send({ type: m.type === 'pre-vote' ? 'pre-vote-resp' : 'vote-resp', to: m.from, reject: true });
    }
  }

  protected stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        // Someone won this term (§5.2).
        this.becomeFollower(this.term, m.from);
        this.stepFollower(m);
        return;
      case 'pre-vote-resp':
        // A granted pre-vote carries the term asked for; a stale grant from an earlier round does not count.
        if (this.role === 'pre-candidate' && (m.reject || m.term === this.term + 1)) this.countVote(m.from, !m.reject);
        return;
      case 'vote-resp':
        if (this.role === 'candidate') this.countVote(m.from, !m.reject);
        return;
      case 'read-index':
        this.send({ type: 'read-index-resp', to: m.from, ctx: m.ctx, index: 0 });
        return;
      default:
        return;
    }
  }

  private countVote(from: NodeId, granted: boolean): void {
    if (!this.votes.has(from)) this.votes.set(from, granted);
    this.tallyVotes();
  }
}
