/**
 * A follower's side of replication: it accepts the leader's appends where
 * its log matches (cutting a conflicting suffix), answers with hints that let
 * the leader skip whole terms, takes the commit index from heartbeats,
 * reassembles snapshots, and forwards reads to the leader.
 */
import type { Outgoing } from './leader.js';
import type { RaftLog } from './log.js';
import { SnapshotAssembler } from './snapshot-transfer.js';
import type { Entry, Message, NodeId, RaftConfig, Snapshot } from './types.js';

type FromLeader = Extract<Message, { type: 'append' | 'heartbeat' | 'snapshot' }>;

/** What the follower needs from its server. */
export interface FollowerHost {
  readonly config: RaftConfig;
  readonly log: RaftLog;
  send(message: Outgoing): void;
  /** Ticks since the server started. */
  now(): number;
  /** Config entries were appended or cut from the log. */
  configChanged(): void;
  /** A complete snapshot that the log does not already cover: replace the log with it. */
  installSnapshot(snapshot: Snapshot): void;
  /** The leader answered a forwarded read (index 0: it could not serve it). */
  readAnswered(ctx: string, index: number): void;
}

/** Entries that can follow prevIndex in a message of `term`: contiguous, with terms that never go down or past the message's. */
function wellFormed(prevIndex: number, prevTerm: number, term: number, entries: readonly Entry[]): boolean {
  let lastTerm = prevTerm;
  return entries.every((entry, i) => {
    const ok = entry.index === prevIndex + 1 + i && entry.term >= lastTerm && entry.term <= term;
    lastTerm = entry.term;
    return ok;
  });
}

export class Follower {
  private readonly assembler = new SnapshotAssembler();
  /** Reads forwarded to the leader, by ctx, with the tick they were sent. */
  private readonly forwarded = new Map<string, number>();

  constructor(private readonly host: FollowerHost) {}

  handle(m: FromLeader): void {
    switch (m.type) {
      case 'append':
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.host.log.commitTo(m.commit);
        this.host.send({ type: 'heartbeat-resp', to: m.from, ctx: m.ctx });
        return;
      case 'snapshot':
        this.handleSnapshot(m);
        return;
    }
  }

  private handleAppend(m: Extract<Message, { type: 'append' }>): void {
    const { log } = this.host;
    const reply = (fields: { reject: boolean; index: number; hintIndex?: number; hintTerm?: number }): void =>
      this.host.send({ type: 'append-resp', to: m.from, hintIndex: 0, hintTerm: 0, ...fields });
    if (!log.hasBase()) {
      reply({ reject: true, index: m.prevIndex, hintIndex: -1, hintTerm: 0 });
      return;
    }
    if (!wellFormed(m.prevIndex, m.prevTerm, m.term, m.entries)) return;
    log.checkCommittedAgree(m.entries);
    // Everything up to the commit index already matches the leader's log.
    if (m.prevIndex < log.committed) {
      reply({ reject: false, index: log.committed });
      return;
    }
    const result = log.maybeAppend(m.prevIndex, m.prevTerm, m.entries);
    if (result) {
      if (result.truncated || m.entries.some((e) => e.kind === 'config')) this.host.configChanged();
      log.commitTo(Math.min(m.commit, result.lastNew));
      reply({ reject: false, index: result.lastNew });
      return;
    }
    const hint = log.findConflictByTerm(Math.min(m.prevIndex, log.lastIndex()), m.prevTerm);
    reply({ reject: true, index: m.prevIndex, hintIndex: hint.index, hintTerm: hint.term });
  }

  private handleSnapshot(m: Extract<Message, { type: 'snapshot' }>): void {
    const { log } = this.host;
    const { meta, size } = m;
    const reply = (offset: number, reject: boolean): void => this.host.send({ type: 'snapshot-resp', to: m.from, index: meta.index, offset, reject });
    if (log.hasBase() && meta.index <= log.committed) {
      reply(size, false);
      return;
    }
    if (meta.term > m.term || m.offset < 0 || size < 0) return;
    const outcome = this.assembler.receive(meta, size, m.offset, m.chunk);
    switch (outcome.kind) {
      case 'progress':
        reply(outcome.offset, false);
        return;
      case 'reject':
        reply(0, true);
        return;
      case 'complete':
        // A log that has the snapshot's last entry already holds everything it covers.
        if (log.hasBase() && log.matchTerm(meta.index, meta.term)) log.commitTo(meta.index);
        else this.host.installSnapshot(outcome.snapshot);
        reply(size, false);
        return;
    }
  }

  /** Forgets a partly received snapshot (the leader changed). */
  resetSnapshot(): void {
    this.assembler.reset();
  }

  /** Sends a read to the leader; false if a read with this ctx is already waiting. */
  forwardRead(lead: NodeId, ctx: string): boolean {
    if (this.forwarded.has(ctx)) return false;
    this.forwarded.set(ctx, this.host.now());
    this.host.send({ type: 'read-index', to: lead, ctx });
    return true;
  }

  answerRead(ctx: string, index: number): void {
    if (!this.forwarded.delete(ctx)) return;
    this.host.readAnswered(ctx, index);
  }

  /** Removes and returns the reads forwarded before tick `before`: their answer was lost. */
  expireReads(before: number): string[] {
    const expired = [...this.forwarded].filter(([, sentAt]) => sentAt < before).map(([ctx]) => ctx);
    for (const ctx of expired) this.forwarded.delete(ctx);
    return expired;
  }

  /** Removes and returns every forwarded read (the leader changed; answers from the old one are not awaited). */
  dropForwardedReads(): string[] {
    const ctxs = [...this.forwarded.keys()];
    this.forwarded.clear();
    return ctxs;
  }
}
