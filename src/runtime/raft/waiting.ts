/**
 * Requests waiting for the Raft log: proposals by log index until the entry
 * at that index is applied, commands forwarded to the leader by their
 * session's number until this member applies them, and ReadIndex reads by context until the leader
 * confirms them and the machine has applied their index. Each settles
 * exactly once, at the latest when its deadline passes (`unknown`).
 */
import type { KvResult } from '../../core/state/kv-types.js';
import type { Outcome } from './outcome.js';
import type { Timers } from './timers.js';

interface Waiter {
  settle(outcome: Outcome): void;
}

interface Proposal extends Waiter {
  readonly term: number;
}

interface Read extends Waiter {
  /** -1 until the leader confirms the read. */
  index: number;
  readonly serve: () => KvResult;
}

export class Waiting {
  private readonly proposals = new Map<number, Proposal>();
  /** Commands forwarded to the leader inside Raft, by their session's seq. */
  private readonly forwards = new Map<number, Waiter>();
  private readonly reads = new Map<string, Read>();
  private nextCtx = 0;

  /** `timers` bound each request's wait. */
  constructor(private readonly timers: Timers) {}

  /** A promise settled by `applied` of the entry at `index`, or `unknown` after `timeoutMs`. */
  proposal(index: number, term: number, timeoutMs: number): Promise<Outcome> {
    // An older proposal at this index was cut from the log: a later term of ours now writes there.
    this.proposals.get(index)?.settle({ kind: 'lost', reason: `index ${index} was rewritten in term ${term}; not applied` });
    return this.wait(timeoutMs, (settle) => {
      const proposal = { term, settle };
      this.proposals.set(index, proposal);
      return () => {
        if (this.proposals.get(index) === proposal) this.proposals.delete(index);
      };
    });
  }

  /** A promise settled when this member applies its forwarded command number `seq`, or `unknown` after `timeoutMs`. */
  forwarded(seq: number, timeoutMs: number): Promise<Outcome> {
    return this.wait(timeoutMs, (settle) => {
      this.forwards.set(seq, { settle });
      return () => this.forwards.delete(seq);
    });
  }

  /** This member's forwarded command `seq` was applied with `result` (a later one overtook it: not applied). */
  forwardApplied(seq: number, result: KvResult): void {
    const waiting = this.forwards.get(seq);
    if (waiting === undefined) return;
    if (!result.ok && result.error === 'stale-sequence') waiting.settle({ kind: 'lost', reason: 'a later write of this member was applied first; not applied' });
    else waiting.settle({ kind: 'done', result });
  }

  /** A fresh read context and the promise `confirmed` + `served` settle. */
  read(serve: () => KvResult, timeoutMs: number): { readonly ctx: string; readonly outcome: Promise<Outcome> } {
    const ctx = String(++this.nextCtx);
    const outcome = this.wait(timeoutMs, (settle) => {
      this.reads.set(ctx, { index: -1, serve, settle });
      return () => this.reads.delete(ctx);
    });
    return { ctx, outcome };
  }

  /** The entry at `index` of `term` was applied with `result`. */
  applied(index: number, term: number, result: KvResult): void {
    const waiting = this.proposals.get(index);
    if (waiting === undefined) return;
    if (waiting.term === term) waiting.settle({ kind: 'done', result });
    else waiting.settle({ kind: 'lost', reason: `a leader of term ${term} wrote index ${index} first; not applied` });
  }

  /** A snapshot replaced the machine up to `index`: what was proposed there can no longer be told. */
  skipped(index: number): void {
    const unknown: Outcome = { kind: 'unknown', reason: 'this member caught up by a snapshot; the outcome is not known here' };
    for (const [at, waiting] of this.proposals) if (at <= index) waiting.settle(unknown);
    for (const waiting of this.forwards.values()) waiting.settle(unknown);
  }

  confirmed(ctx: string, index: number): void {
    const read = this.reads.get(ctx);
    if (read !== undefined) read.index = index;
  }

  failedRead(ctx: string, outcome: Outcome): void {
    this.reads.get(ctx)?.settle(outcome);
  }

  /** Serves the confirmed reads whose index the machine has applied. */
  serveReads(appliedIndex: number): void {
    for (const read of this.reads.values()) {
      if (read.index >= 0 && read.index <= appliedIndex) read.settle({ kind: 'done', result: read.serve() });
    }
  }

  /** Settles everything still waiting with `outcome`. */
  settleAll(outcome: Outcome): void {
    for (const waiting of [...this.proposals.values(), ...this.forwards.values(), ...this.reads.values()]) waiting.settle(outcome);
  }

  get size(): number {
    return this.proposals.size + this.forwards.size + this.reads.size;
  }

  private wait(timeoutMs: number, register: (settle: (o: Outcome) => void) => () => void): Promise<Outcome> {
    return new Promise((resolve) => {
      let unregister = (): void => {};
      const cancel = this.timers.after(timeoutMs, () => settle({ kind: 'unknown', reason: `no answer within ${timeoutMs} ms; the outcome is not known` }));
      const settle = (outcome: Outcome): void => {
        cancel();
        unregister();
        resolve(outcome);
      };
      unregister = register(settle);
    });
  }
}
