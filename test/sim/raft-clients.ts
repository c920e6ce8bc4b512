/**
 * Simulated key/value clients. Each runs one operation at a time on a small
 * key space: put, compare-and-set (a put guarded by the revision it last saw),
 * delete, and get (by ReadIndex mostly, some through the log). Writes carry a
 * session (client id, seq) so that retries apply once. A client asks the
 * leader it last heard of, else a random server; on not-leader it follows the
 * hint, on busy or lost it retries shortly, on silence it tries another
 * server; after `timeoutMs` it records the outcome as unknown and moves on.
 */
import type { NodeId } from '../../src/core/raft/types.js';
import type { Rng } from '../../src/core/rng.js';
import type { KvOperation, KvResult } from '../../src/core/state/kv-types.js';
import type { SimClock } from './clock.js';
import type { SimNetwork } from './network.js';
import type { History, HistoryOp } from './raft-history.js';
import type { Trace } from './raft-trace.js';
import type { ClientReply, ClientRequest, Path, SimWire } from './raft-wire.js';

export interface ClientOptions {
  /** Distinct keys, k0..k(n-1). */
  readonly keys: number;
  /** After this long without a result the outcome is unknown and the client moves on. */
  readonly timeoutMs: number;
  /** Without any reply for this long, the request is sent again to another server. */
  readonly resendMs: number;
  /** Pause between one operation's end and the next one's start: uniform in [0, thinkMs). */
  readonly thinkMs: number;
}

export interface ClientEnv {
  readonly clock: SimClock;
  readonly network: SimNetwork<SimWire>;
  readonly history: History;
  readonly trace: Trace;
  /** The servers a client may ask (the configured ones; clients do not know which are up). */
  servers(): readonly NodeId[];
}

interface Current {
  readonly record: HistoryOp;
  readonly seq: number;
  readonly deadline: number;
  attempt: number;
}

export class SimClient {
  private seq = 0;
  private current: Current | undefined;
  private leader: NodeId | null = null;
  private stopped = false;
  /** The revision this client last saw of each key (0: absent), for compare-and-set. */
  private readonly revisions = new Map<string, number>();
  /** Bumped at every send; a timer that finds another value was overtaken. */
  private sends = 0;

  constructor(
    readonly id: string,
    private readonly rng: Rng,
    private readonly options: ClientOptions,
    private readonly env: ClientEnv,
  ) {
    env.network.attach(id, (_from, wire) => {
      if (wire.kind === 'reply') this.receive(wire.reply);
    });
  }

  /** No operation in progress. */
  get idle(): boolean {
    return this.current === undefined;
  }

  /** Starts the first operation after a random think time. */
  start(): void {
    this.env.clock.after(this.rng.next() * this.options.thinkMs, () => this.next());
  }

  /** Finishes the operation in progress, then starts no more. */
  stop(): void {
    this.stopped = true;
  }

  private next(): void {
    if (this.stopped || this.current !== undefined) return;
    const { op, path } = this.pick();
    const record = this.env.history.invoke(this.id, op, path, this.env.clock.now);
    const seq = ++this.seq;
    const current: Current = { record, seq, deadline: this.env.clock.now + this.options.timeoutMs, attempt: 0 };
    this.current = current;
    this.env.trace.log(this.id, () => `invoke #${seq} ${JSON.stringify(op)} by ${path}`);
    this.env.clock.at(current.deadline, () => {
      if (this.current !== current) return;
      this.env.history.timeOut(record);
      this.env.trace.log(this.id, () => `#${seq} timed out: outcome unknown`);
      this.finish();
    });
    this.send(this.leader ?? this.randomServer());
  }

  private pick(): { op: KvOperation; path: Path } {
    const key = `k${this.rng.int(this.options.keys)}`;
    const roll = this.rng.next();
    const value = `${this.id}:${this.seq + 1}`;
    if (roll < 0.4) return { op: { type: 'get', key }, path: 'read-index' };
    if (roll < 0.45) return { op: { type: 'get', key }, path: 'log' };
    if (roll < 0.7) return { op: { type: 'put', key, value }, path: 'log' };
    if (roll < 0.88) return { op: { type: 'put', key, value, cas: this.revisions.get(key) ?? 0 }, path: 'log' };
    if (roll < 0.94) return { op: { type: 'delete', key }, path: 'log' };
    return { op: { type: 'delete', key, cas: this.revisions.get(key) ?? 0 }, path: 'log' };
  }

  private send(to: NodeId): void {
    const current = this.current;
    if (current === undefined) return;
    current.attempt++;
    const request: ClientRequest = { client: this.id, seq: current.seq, attempt: current.attempt, op: current.record.op, path: current.record.path };
    this.env.network.send(this.id, to, { kind: 'request', request });
    const sent = ++this.sends;
    this.env.clock.after(this.options.resendMs, () => {
      if (this.current !== current || this.sends !== sent) return;
      this.leader = null;
      this.send(this.randomServer());
    });
  }

  private receive(reply: ClientReply): void {
    const current = this.current;
    if (current === undefined || reply.seq !== current.seq) return;
    if ('result' in reply) {
      this.done(current, reply.result);
      return;
    }
    // Only the answer to the latest send steers the client; older ones are overtaken.
    if (reply.attempt !== current.attempt) return;
    this.sends++;
    this.leader = reply.retry === 'not-leader' ? reply.leader : this.leader;
    const delay = reply.retry === 'not-leader' && reply.leader !== null ? 0 : 5 + this.rng.next() * 20;
    this.env.clock.after(delay, () => {
      if (this.current === current) this.send(this.leader ?? this.randomServer());
    });
  }

  private done(current: Current, result: KvResult): void {
    this.env.history.complete(current.record, result, this.env.clock.now);
    this.env.trace.log(this.id, () => `#${current.seq} -> ${JSON.stringify(result)}`);
    const op = current.record.op;
    if (result.ok && op.type === 'delete') this.revisions.set(op.key, 0);
    else if (result.ok || result.error === 'cas-failed' || result.error === 'not-found') this.revisions.set(op.key, result.revision);
    this.finish();
  }

  private finish(): void {
    this.current = undefined;
    this.sends++;
    this.env.clock.after(this.rng.next() * this.options.thinkMs, () => this.next());
  }

  private randomServer(): NodeId {
    const servers = this.env.servers();
    return servers[this.rng.int(servers.length)] as NodeId;
  }
}
