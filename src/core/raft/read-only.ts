/**
 * Heartbeat rounds of a leader. Every heartbeat broadcast is a round with an
 * id (carried as the heartbeat's ctx and echoed back). A round that a quorum
 * of voters acknowledged proves this server was still the leader when the
 * round was sent; that releases the ReadIndex reads waiting on it (and on
 * earlier rounds), and starts a lease of one election timeout from its send
 * tick (followers refuse votes for that long after hearing the leader).
 */
import type { NodeId } from './types.js';

/** A read waiting for leadership to be confirmed: asked by this server or forwarded by a follower (`from`). */
export interface ReadRequest {
  readonly ctx: string;
  readonly from: NodeId;
  /** The leader's commit index when the read arrived: the read is served once the application applied it. */
  readonly index: number;
}

interface Round {
  readonly id: string;
  readonly sentTick: number;
  readonly acks: Set<NodeId>;
  readonly reads: ReadRequest[];
}

export class ReadOnly {
  private rounds: Round[] = [];
  private seq = 0;
  private confirmedTick = -Infinity;

  /** `prefix` makes round ids unique across terms (e.g. the term). */
  constructor(private readonly prefix: string) {}

  /** Starts a round sent at `tick`, carrying `reads`; returns the id to put in its heartbeats. */
  start(tick: number, reads: readonly ReadRequest[]): string {
    const id = `${this.prefix}.${++this.seq}`;
    this.rounds.push({ id, sentTick: tick, acks: new Set(), reads: [...reads] });
    return id;
  }

  /**
   * Records that `from` acknowledged round `id`. When `confirmed` says the
   * acks form a quorum, returns the reads of that round and of all earlier
   * ones, which may now be served; otherwise none.
   */
  ack(id: string | null, from: NodeId, confirmed: (acks: ReadonlySet<NodeId>) => boolean): ReadRequest[] {
    const at = this.rounds.findIndex((round) => round.id === id);
    const round = this.rounds[at];
    if (!round) return [];
    round.acks.add(from);
    if (!confirmed(round.acks)) return [];
    this.confirmedTick = Math.max(this.confirmedTick, round.sentTick);
    return this.rounds.splice(0, at + 1).flatMap((r) => r.reads);
  }

  /** The send tick of the latest round a quorum confirmed (-Infinity if none): the lease runs from there. */
  leaseStart(): number {
    return this.confirmedTick;
  }

  /** Drops rounds without reads sent before `tick`: too old to extend a lease, nothing waits on them. */
  prune(tick: number): void {
    this.rounds = this.rounds.filter((round) => round.reads.length > 0 || round.sentTick >= tick);
  }

  /** Removes and returns every read still waiting (the leader is stepping down). */
  drain(): ReadRequest[] {
    const reads = this.rounds.flatMap((round) => round.reads);
    this.rounds = [];
    return reads;
  }
}
