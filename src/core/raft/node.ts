/**
 * A Raft server in the shape of etcd's raft package: `step` and `tick` go
 * in, a `Ready` comes out with what to persist, send, apply and read. Roles,
 * terms and elections (with pre-vote and leader stickiness) live here; the
 * leader's replication is in leader.ts, the follower's handling of the
 * leader's messages in follower.ts.
 */
import type { Rng } from '../rng.js';
import { PROMOTE_MAX_LAG, applyConfChange, confAfter, confChangeProblem, isVoter } from './conf-change.js';
import { raftConfigProblems } from './config.js';
import { Follower } from './follower.js';
import { Leader } from './leader.js';
import type { Outgoing } from './leader.js';
import { RaftLog } from './log.js';
import type { ReadRequest } from './read-only.js';
import { voteResult } from './quorum.js';
import { JumpStreaks, implausible, noRefusals, storedTermProblem } from './plausible.js';
import type { RefusalReason } from './plausible.js';
import { Outbox } from './ready.js';
import type { SoftState } from './ready.js';
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  NodeId,
  PersistedState,
  ProposeResult,
  RaftConfig,
  RaftStatus,
  Ready,
  Refusal,
  Role,
  Snapshot,
} from './types.js';

type VoteRequest = Extract<Message, { type: 'pre-vote' | 'vote' }>;

const EMPTY_CONF: ConfState = { voters: [], learners: [] };

export class RaftNode {
  readonly id: NodeId;
  private readonly log: RaftLog;
  private term: number;
  private vote: NodeId | null;
  private lead: NodeId | null = null;
  private role: Role = 'follower';
  /** The configuration in force: the snapshot's plus every config entry in the log. */
  private conf: ConfState = EMPTY_CONF;
  private baseConf: ConfState;
  /** Index of the latest config entry in the log (or the snapshot's index): a change is pending while it is uncommitted. */
  private lastConfIndex = 0;
  private snapshot: Snapshot | null;
  private leader: Leader | null = null;
  private readonly follower: Follower;
  private readonly votes = new Map<NodeId, boolean>();
  private ticks = 0;
  /** Started with a term above 0: it may have followed a leader before. */
  private readonly restarted: boolean;
  private electionElapsed = 0;
  private randomizedElectionTimeout = 0;

  /** Highest index the application reported applied. */
  private appliedIndex: number;
  private readonly outbox: Outbox;
  /** Messages refused before they could change anything (plausible.ts), by reason. */
  private readonly refusals = noRefusals();
  private readonly jumpStreaks: JumpStreaks;

  constructor(
    private readonly config: RaftConfig,
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
    this.snapshot = persisted.snapshot ?? null;
    this.baseConf = persisted.snapshot?.meta.conf ?? EMPTY_CONF;
    this.recomputeConf();
    this.appliedIndex = this.log.snapshotIndex();
    this.outbox = new Outbox(this.log, persisted.hardState);
    this.follower = new Follower({
      config,
      log: this.log,
      send: (m) => this.send(m),
      now: () => this.ticks,
      configChanged: () => this.recomputeConf(),
      installSnapshot: (snapshot) => this.installSnapshot(snapshot),
      readAnswered: (ctx, index) => this.readAnswered(ctx, index),
    });
    this.resetElectionTimeout();
  }

  // ---- inputs ----

  /** One tick of the logical clock: elections time out, leaders send heartbeats and check their quorum. */
  tick(): void {
    this.ticks++;
    for (const ctx of this.follower.expireReads(this.ticks - 2 * this.config.electionTicks)) {
      this.outbox.failedReads.push({ ctx, refusal: { error: 'busy', reason: 'the leader did not answer the read in time' } });
    }
    if (this.leader) {
      if (!this.leader.tick()) this.becomeFollower(this.term, null);
      return;
    }
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.campaign(this.config.preVote ? 'pre-vote' : 'vote', false);
    }
  }

  /** A message from another server. Stale, foreign and malformed messages change nothing they must not. */
  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    const refused = this.refusal(m);
    if (refused !== null) {
      this.refusals[refused]++;
      return;
    }
    // A forwarded client command is not Raft state: its term neither deposes nor is stale.
    if (m.type === 'propose') {
      if (this.refuseProposal() === null) for (const data of m.entries) this.appendAsLeader({ term: this.term, index: this.log.lastIndex() + 1, kind: 'normal', data });
      return;
    }
    if (m.term > this.term) {
      const isVoteRequest = m.type === 'pre-vote' || m.type === 'vote';
      // Leader stickiness: while a leader is heard from, nobody may depose it (unless it hands over itself).
      if (isVoteRequest && !m.transfer && this.inLease()) return;
      const keepsTerm = m.type === 'pre-vote' || (m.type === 'pre-vote-resp' && !m.reject);
      if (!keepsTerm) {
        const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
        // Only a leader's message (or a granted vote) restarts the election timer (Figure 2): a hopeless
        // candidate that keeps raising the term must not keep the server that can win from campaigning.
        this.becomeFollower(m.term, fromLeader ? m.from : null, fromLeader);
      }
    } else if (m.term < this.term) {
      this.answerStale(m);
      return;
    }
    if (m.type === 'pre-vote' || m.type === 'vote') {
      this.answerVote(m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'pre-candidate':
      case 'candidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  /** Appends `data` as a new entry (leader only). The entry is committed once it shows up in `Ready.committed` at this index and term. */
  propose(data: Uint8Array): ProposeResult {
    const refusal = this.refuseProposal();
    if (refusal) return { ok: false, ...refusal };
    return this.appendAsLeader({ term: this.term, index: this.log.lastIndex() + 1, kind: 'normal', data });
  }

  /**
   * Appends `data` on the leader, from any server: the leader itself proposes
   * it; a follower sends it to the leader it knows (refused when it knows
   * none). Nothing comes back: the command is committed if and when it shows
   * up in `Ready.committed`, so it should carry its own identity (a session).
   */
  forward(data: Uint8Array): Refusal | null {
    if (this.leader) {
      const result = this.propose(data);
      return result.ok ? null : result;
    }
    if (this.lead === null || this.lead === this.id) return { error: 'not-leader', leader: null };
    this.send({ type: 'propose', to: this.lead, entries: [data] });
    return null;
  }

  /** Proposes a membership change: one at a time, new servers as learners, promotion only once caught up. */
  proposeConfChange(change: ConfChange): ProposeResult {
    const refusal = this.refuseProposal() ?? this.refuseConfChange(change);
    if (refusal) return { ok: false, ...refusal };
    return this.appendAsLeader({ term: this.term, index: this.log.lastIndex() + 1, kind: 'config', change });
  }

  /**
   * Asks for a linearizable read. Accepted (null): `ctx` comes back later in
   * `Ready.readStates` with the index to wait for, or in `Ready.failedReads`.
   */
  readIndex(ctx: string): Refusal | null {
    if (this.leader) {
      this.leader.requestRead({ ctx, from: this.id });
      return null;
    }
    if (this.role !== 'follower' || this.lead === null) return { error: 'not-leader', leader: this.lead };
    if (!this.follower.forwardRead(this.lead, ctx)) return { error: 'busy', reason: `a read with ctx ${ctx} is already pending` };
    return null;
  }

  /** Hands leadership to voter `to`: proposals are refused meanwhile; gives up after an election timeout. */
  transferLeadership(to: NodeId): Refusal | null {
    if (!this.leader) return { error: 'not-leader', leader: this.lead };
    if (to === this.id || this.leader.transferee === to) return null;
    if (!isVoter(this.conf, to)) return { error: 'conf-change-rejected', reason: `${to} is not a voter` };
    this.leader.startTransfer(to);
    return null;
  }

  /** The application reports that its state machine has applied up to `index`. */
  applied(index: number): void {
    this.appliedIndex = Math.max(this.appliedIndex, Math.min(index, this.outbox.handedOut));
  }

  /**
   * The application snapshotted its state machine at applied index `index`:
   * returns the Snapshot to persist, and drops the log up to it (a leader
   * keeps in memory the entries that followers receiving an older snapshot
   * will want next, so they do not need another one).
   */
  compact(index: number, data: Uint8Array): Snapshot {
    if (index > this.appliedIndex) throw new Error(`raft compact: index ${index} is not applied yet (applied ${this.appliedIndex})`);
    if (this.snapshot && index <= this.snapshot.meta.index) return this.snapshot;
    const term = this.log.term(index);
    if (term === undefined) throw new Error(`raft compact: no entry at ${index}`);
    const snapshot: Snapshot = { meta: { index, term, conf: this.confAt(index) }, data };
    const keepFrom = Math.min(this.catchUpFloor(index), this.leader?.snapshotFloor() ?? Infinity);
    if (keepFrom > this.log.snapshotIndex()) {
      this.baseConf = this.confAt(keepFrom);
      this.log.compact(keepFrom);
    }
    this.snapshot = snapshot;
    return snapshot;
  }

  /** The index to drop the log to after a snapshot at `index`, keeping the catch-up entries behind it. */
  private catchUpFloor(index: number): number {
    const { catchUpEntries, catchUpBytes } = this.config;
    let floor = index;
    let bytes = 0;
    while (floor > this.log.snapshotIndex() && index - floor < catchUpEntries) {
      const entry = this.log.entry(floor);
      bytes += entry?.kind === 'normal' ? entry.data.length : 0;
      if (bytes > catchUpBytes) break;
      floor--;
    }
    return floor;
  }

  // ---- outputs ----

  hasReady(): boolean {
    return this.outbox.hasReady(this.hardState(), this.softState());
  }

  /** What to persist, send, apply and read now. Call `advance` with it before asking for the next. */
  ready(): Ready {
    return this.outbox.take(this.hardState(), this.softState());
  }

  /** The Ready was persisted, sent and applied. */
  advance(ready: Ready): void {
    this.outbox.advance(ready);
    if (ready.snapshot) this.appliedIndex = Math.max(this.appliedIndex, ready.snapshot.meta.index);
    // The leader's own entries now count towards the quorum.
    if (this.leader && ready.entries.length > 0 && this.leader.maybeCommit()) this.afterCommit();
  }

  status(): RaftStatus {
    const progress = this.leader
      ? Object.fromEntries(
          [...this.leader.progress].map(([id, pr]) => [id, { match: pr.match, next: pr.next, snapshot: pr.state === 'snapshot' }]),
        )
      : undefined;
    return {
      id: this.id,
      term: this.term,
      role: this.role,
      leader: this.lead,
      commit: this.log.committed,
      applied: this.appliedIndex,
      lastIndex: this.log.lastIndex(),
      conf: { voters: [...this.conf.voters], learners: [...this.conf.learners] },
      refused: { ...this.refusals },
      ...(progress ? { progress } : {}),
    };
  }

  // ---- roles and elections ----

  /**
   * A voter with a log may campaign; learners, removed servers and new members
   * without a snapshot may not. A server whose own removal is appended but not
   * yet committed still may (thesis §4.2.2: it serves until the removal
   * commits): otherwise, when the servers with the newest log are exactly the
   * ones that removed themselves, nobody could ever win an election.
   */
  private promotable(): boolean {
    if (!this.log.hasBase()) return false;
    if (isVoter(this.conf, this.id)) return true;
    return this.lastConfIndex > this.log.committed && isVoter(this.confAt(this.lastConfIndex - 1), this.id);
  }

  /** The configuration as of the entry at `index` (in the log or its snapshot). */
  private confAt(index: number): ConfState {
    return confAfter(this.baseConf, this.log.slice(this.log.firstIndex(), index));
  }

  /**
   * A leader was heard within the election timeout (always true on the
   * leader itself). With lease reads, also during the first election timeout
   * after a restart: before the crash this server may have promised a leader
   * exactly that.
   */
  private inLease(): boolean {
    if (this.config.leaseReads && this.restarted && this.ticks < this.config.electionTicks) return true;
    if (!this.config.preVote && !this.config.checkQuorum) return false;
    return this.lead !== null && (this.role === 'leader' || this.electionElapsed < this.config.electionTicks);
  }

  private resetElectionTimeout(): void {
    this.electionElapsed = 0;
    this.randomizedElectionTimeout = this.config.electionTicks + this.rng.int(this.config.electionTicks);
  }

  private becomeFollower(term: number, lead: NodeId | null, restartTimer = true): void {
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

  private becomeLeader(): void {
    this.role = 'leader';
    this.setLead(this.id);
    this.votes.clear();
    this.resetElectionTimeout();
    this.leader = new Leader(
      {
        config: this.config,
        log: this.log,
        conf: () => this.conf,
        snapshot: () => this.latestSnapshot(),
        now: () => this.ticks,
        send: (m) => this.send(m),
        serveRead: (read) => this.serveRead(read),
      },
      this.id,
      this.term,
    );
    // The no-op of the new term: committing it commits every earlier entry (§5.4.2) and makes reads possible (§6.4).
    this.appendAsLeader({ term: this.term, index: this.log.lastIndex() + 1, kind: 'normal', data: new Uint8Array(0) });
  }

  /** Leaving the leader role: reads that were not confirmed fail. */
  private stopLeading(newLead: NodeId | null): void {
    if (!this.leader) return;
    for (const read of this.leader.drainReads()) this.failRead(read, { error: 'not-leader', leader: newLead });
    this.leader = null;
  }

  private setLead(lead: NodeId | null): void {
    if (lead === this.lead) return;
    this.lead = lead;
    for (const ctx of this.follower.dropForwardedReads()) this.outbox.failedReads.push({ ctx, refusal: { error: 'not-leader', leader: lead } });
    this.follower.resetSnapshot();
  }

  private campaign(kind: 'pre-vote' | 'vote', transfer: boolean): void {
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
  private refusal(m: Message): RefusalReason | null {
    const reason = implausible(m, this.term) ?? this.refuseTimeoutNow(m);
    const member = this.conf.voters.length === 0 || this.conf.voters.includes(m.from) || this.conf.learners.includes(m.from);
    return reason === 'term-jump' && member && this.jumpStreaks.insisted(m.from, this.ticks) ? null : reason;
  }

  /** A timeout-now is honoured only from the leader this voter follows, in its term; anything else could only be forged. */
  private refuseTimeoutNow(m: Message): RefusalReason | null {
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

  private stepCandidate(m: Message): void {
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

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        this.electionElapsed = 0;
        this.setLead(m.from);
        this.follower.handle(m);
        return;
      case 'timeout-now':
        // The leader hands over (refuseTimeoutNow checked it is ours): campaign at once, past pre-vote and stickiness.
        this.campaign('vote', true);
        return;
      case 'read-index':
        this.send({ type: 'read-index-resp', to: m.from, ctx: m.ctx, index: 0 });
        return;
      case 'read-index-resp':
        this.follower.answerRead(m.ctx, m.index);
        return;
      default:
        return;
    }
  }

  private stepLeader(m: Message): void {
    const leader = this.leader;
    if (!leader) return;
    switch (m.type) {
      case 'append-resp':
        if (leader.onAppendResp(m)) this.afterCommit();
        return;
      case 'heartbeat-resp':
        leader.onHeartbeatResp(m);
        return;
      case 'snapshot-resp':
        leader.onSnapshotResp(m);
        return;
      case 'read-index':
        leader.requestRead({ ctx: m.ctx, from: m.from });
        return;
      default:
        return;
    }
  }

  // ---- the leader's log ----

  private refuseProposal(): Refusal | null {
    if (!this.leader) return { error: 'not-leader', leader: this.lead };
    if (this.leader.transferee !== null) return { error: 'busy', reason: `leadership is being transferred to ${this.leader.transferee}` };
    return null;
  }

  private refuseConfChange(change: ConfChange): Refusal | null {
    const reject = (reason: string): Refusal => ({ error: 'conf-change-rejected', reason });
    if (this.lastConfIndex > this.log.committed) return reject(`the change at index ${this.lastConfIndex} is not committed yet`);
    const problem = confChangeProblem(this.conf, change);
    if (problem) return reject(problem);
    if (change.type === 'promote') {
      const pr = this.leader?.progress.get(change.node);
      const match = pr?.match ?? 0;
      if (!pr || pr.state === 'snapshot' || match + PROMOTE_MAX_LAG < this.log.lastIndex()) {
        return reject(`${change.node} is not caught up (has ${match} of ${this.log.lastIndex()})`);
      }
    }
    return null;
  }

  private appendAsLeader(entry: Entry): ProposeResult {
    const leader = this.leader;
    if (!leader) return { ok: false, error: 'not-leader', leader: this.lead };
    this.log.append([entry]);
    if (entry.kind === 'config') {
      this.conf = applyConfChange(this.conf, entry.change);
      this.lastConfIndex = entry.index;
      leader.syncMembers();
    }
    if (leader.maybeCommit()) this.afterCommit();
    else leader.broadcastAppend();
    return { ok: true, index: entry.index, term: entry.term };
  }

  private afterCommit(): void {
    const leader = this.leader;
    if (!leader) return;
    leader.onCommit();
    // Removed from the configuration and the removal is committed: stop leading (thesis §4.2.2), hand over at once.
    if (!isVoter(this.conf, this.id) && this.lastConfIndex <= this.log.committed) {
      const successor = leader.bestSuccessor();
      if (successor !== null) this.send({ type: 'timeout-now', to: successor });
      this.becomeFollower(this.term, null);
    }
  }

  // ---- helpers ----

  /** Recomputes the configuration from the snapshot's and the config entries in the log (after a truncation or a snapshot). */
  private recomputeConf(): void {
    const entries = this.log.slice(this.log.firstIndex(), this.log.lastIndex());
    this.conf = confAfter(this.baseConf, entries);
    this.lastConfIndex = entries.findLast((e) => e.kind === 'config')?.index ?? this.log.snapshotIndex();
  }

  private installSnapshot(snapshot: Snapshot): void {
    this.log.restore(snapshot.meta);
    this.baseConf = snapshot.meta.conf;
    this.snapshot = snapshot;
    this.outbox.receivedSnapshot = snapshot;
    this.recomputeConf();
  }

  /** The newest snapshot; the log holds every entry after it. */
  private latestSnapshot(): Snapshot {
    if (this.snapshot && this.snapshot.meta.index >= this.log.snapshotIndex()) return this.snapshot;
    throw new Error(`raft: no snapshot covers the log's start (${this.log.snapshotIndex()})`);
  }

  private serveRead(read: ReadRequest): void {
    if (read.from === this.id) this.outbox.readStates.push({ ctx: read.ctx, index: read.index });
    else this.send({ type: 'read-index-resp', to: read.from, ctx: read.ctx, index: read.index });
  }

  private failRead(read: Omit<ReadRequest, 'index'>, refusal: Refusal): void {
    if (read.from === this.id) this.outbox.failedReads.push({ ctx: read.ctx, refusal });
    else this.send({ type: 'read-index-resp', to: read.from, ctx: read.ctx, index: 0 });
  }

  private readAnswered(ctx: string, index: number): void {
    if (index > 0) this.outbox.readStates.push({ ctx, index });
    else this.outbox.failedReads.push({ ctx, refusal: { error: 'not-leader', leader: this.lead } });
  }

  private send(m: Outgoing, term = this.term): void {
    this.outbox.messages.push({ ...m, from: this.id, term });
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private softState(): SoftState {
    return { leader: this.lead, role: this.role };
  }
}
