/**
 * A Raft server in the shape of etcd's raft package: `step` and `tick` go
 * in, a `Ready` comes out with what to persist, send, apply and read. The
 * log, the configuration, snapshots and reads live here; roles, terms and
 * elections (with pre-vote and leader stickiness) in election.ts, which this
 * class extends; the leader's replication in leader.ts, the follower's
 * handling of the leader's messages in follower.ts.
 */
import type { Rng } from '../rng.js';
import { PROMOTE_MAX_LAG, applyConfChange, confAfter, confChangeProblem, isVoter } from './conf-change.js';
import { EMPTY_CONF, RaftElections } from './election.js';
import { Follower } from './follower.js';
import { Leader } from './leader.js';
import type { Outgoing } from './leader.js';
import type { ReadRequest } from './read-only.js';
import { noRefusals } from './plausible.js';
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
  Snapshot,
} from './types.js';

export class RaftNode extends RaftElections {
  private baseConf: ConfState;
  /** Index of the latest config entry in the log (or the snapshot's index): a change is pending while it is uncommitted. */
  private lastConfIndex = 0;
  private snapshot: Snapshot | null;
  private readonly follower: Follower;

  /** Highest index the application reported applied. */
  private appliedIndex: number;
  private readonly outbox: Outbox;
  /** Messages refused before they could change anything (plausible.ts), by reason. */
  private readonly refusals = noRefusals();

  constructor(config: RaftConfig, persisted: PersistedState, rng: Rng) {
    super(config, persisted, rng);
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
    this.tickElection();
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
    if (this.stepTerm(m)) return;
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

  // ---- roles ----

  /**
   * A voter with a log may campaign; learners, removed servers and new members
   * without a snapshot may not. A server whose own removal is appended but not
   * yet committed still may (thesis §4.2.2: it serves until the removal
   * commits): otherwise, when the servers with the newest log are exactly the
   * ones that removed themselves, nobody could ever win an election.
   */
  protected promotable(): boolean {
    if (!this.log.hasBase()) return false;
    if (isVoter(this.conf, this.id)) return true;
    return this.lastConfIndex > this.log.committed && isVoter(this.confAt(this.lastConfIndex - 1), this.id);
  }

  /** The configuration as of the entry at `index` (in the log or its snapshot). */
  private confAt(index: number): ConfState {
    return confAfter(this.baseConf, this.log.slice(this.log.firstIndex(), index));
  }

  /** Takes the leader role it won: a Leader for this term, and the term's no-op entry. */
  protected becomeLeader(): void {
    this.wonElection();
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
  protected stopLeading(newLead: NodeId | null): void {
    if (!this.leader) return;
    for (const read of this.leader.drainReads()) this.failRead(read, { error: 'not-leader', leader: newLead });
    this.leader = null;
  }

  protected setLead(lead: NodeId | null): void {
    if (lead === this.lead) return;
    this.lead = lead;
    for (const ctx of this.follower.dropForwardedReads()) this.outbox.failedReads.push({ ctx, refusal: { error: 'not-leader', leader: lead } });
    this.follower.resetSnapshot();
  }

  protected stepFollower(m: Message): void {
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

  protected send(m: Outgoing, term = this.term): void {
    this.outbox.messages.push({ ...m, from: this.id, term });
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private softState(): SoftState {
    return { leader: this.lead, role: this.role };
  }
}
