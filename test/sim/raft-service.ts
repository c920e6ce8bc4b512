/**
 * The key/value service one server process offers its clients, as a real
 * server would run it on top of its Raft node: a write (or a get through the
 * log) is proposed and answered when this server applies the entry at the
 * proposal's index, with the result if the entry has the proposal's term, or
 * "lost" (retry) if another term took the index; a ReadIndex get is answered
 * from the local machine once it has applied the read's index. Everything
 * pending dies with the process.
 */
import type { NodeId, ReadState, FailedRead, Refusal } from '../../src/core/raft/types.js';
import { encodeKvCommand } from '../../src/core/state/kv-codec.js';
import type { KvMachine } from '../../src/core/state/kv.js';
import type { KvResult } from '../../src/core/state/kv-types.js';
import type { RaftNode } from '../../src/core/raft/node.js';
import type { ClientReply, ClientRequest, RetryReason } from './raft-wire.js';

interface Waiting {
  readonly request: ClientRequest;
  /** The proposal's term, for a write. */
  readonly term: number;
}

export type SendReply = (to: string, reply: ClientReply) => void;

export class KvService {
  /** Proposals by log index. */
  private readonly proposals = new Map<number, Waiting>();
  /** ReadIndex gets by ctx, until their ReadState (index -1) arrives, then until the machine has applied that index. */
  private readonly reads = new Map<string, { readonly request: ClientRequest; index: number }>();
  private nextCtx = 0;

  constructor(
    private readonly id: NodeId,
    private readonly life: number,
    private readonly send: SendReply,
  ) {}

  /** Starts serving one request on `raft`; the caller then handles the node's Ready. */
  request(raft: RaftNode, request: ClientRequest): void {
    if (request.path === 'read-index') {
      const ctx = `${this.id}.${this.life}.${++this.nextCtx}`;
      const refusal = raft.readIndex(ctx);
      if (refusal !== null) this.refuse(request, refusal);
      else this.reads.set(ctx, { request, index: -1 });
      return;
    }
    const result = raft.propose(encodeKvCommand({ ...request.op, session: { client: request.client, seq: request.seq } }));
    if (!result.ok) this.refuse(request, result);
    else this.proposals.set(result.index, { request, term: result.term });
  }

  /** The machine applied the entry at `index` of `term`, with `result`. */
  applied(index: number, term: number, result: KvResult): void {
    const waiting = this.proposals.get(index);
    if (waiting === undefined) return;
    this.proposals.delete(index);
    if (waiting.term === term) this.answer(waiting.request, result);
    else this.retry(waiting.request, 'lost', null);
  }

  /** A snapshot replaced the machine up to `index`: what was proposed there can no longer be told. */
  restored(index: number): void {
    for (const [at, waiting] of this.proposals) {
      if (at > index) continue;
      this.proposals.delete(at);
      this.retry(waiting.request, 'lost', null);
    }
  }

  /** Reads confirmed by the leader, and reads it gave up on. */
  readsSettled(states: readonly ReadState[], failed: readonly FailedRead[]): void {
    for (const state of states) {
      const read = this.reads.get(state.ctx);
      if (read !== undefined) read.index = state.index;
    }
    for (const { ctx, refusal } of failed) {
      const read = this.reads.get(ctx);
      if (read === undefined) continue;
      this.reads.delete(ctx);
      this.refuse(read.request, refusal);
    }
  }

  /** Answers the confirmed reads whose index the machine has applied. */
  serveReads(machine: KvMachine): void {
    for (const [ctx, read] of this.reads) {
      if (read.index < 0 || read.index > machine.appliedIndex) continue;
      this.reads.delete(ctx);
      if (read.request.op.type !== 'get') throw new Error(`a ReadIndex request must be a get, not ${read.request.op.type}`);
      this.answer(read.request, machine.read(read.request.op.key));
    }
  }

  private refuse(request: ClientRequest, refusal: Refusal): void {
    if (refusal.error === 'not-leader') this.retry(request, 'not-leader', refusal.leader);
    else this.retry(request, 'busy', null);
  }

  private answer(request: ClientRequest, result: KvResult): void {
    this.send(request.client, { client: request.client, seq: request.seq, attempt: request.attempt, result });
  }

  private retry(request: ClientRequest, retry: RetryReason, leader: NodeId | null): void {
    this.send(request.client, { client: request.client, seq: request.seq, attempt: request.attempt, retry, leader });
  }
}
