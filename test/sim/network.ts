/**
 * A simulated network, generic over the message type, so that membership and
 * Raft run on the same one. Every decision (loss, delay, duplication) comes
 * from one seeded Rng, so a run replays exactly from its seed.
 *
 * Endpoints are plain string ids. Unreliable sends (UDP) may be lost,
 * delayed, duplicated and therefore reordered; reliable sends (one TCP
 * exchange) are only delayed. Both are dropped when the endpoints are
 * partitioned apart, at sending or at delivery, or when the receiver is not
 * attached (crashed).
 */
import type { Rng } from '../../src/core/rng.js';
import type { SimClock } from './clock.js';

/** One-way delay: `baseMs` plus a random jitter of mean (exponential) or maximum (uniform) `jitterMs`. */
export interface DelayModel {
  readonly baseMs: number;
  readonly jitterMs: number;
  readonly jitter: 'uniform' | 'exponential';
}

export interface LinkConditions {
  /** Probability that an unreliable message is lost, 0..1. */
  readonly loss: number;
  /** Probability that an unreliable message arrives twice, 0..1. */
  readonly duplicate: number;
  readonly delay: DelayModel;
}

/** A LAN: 0.2 ms plus exponential jitter of mean 0.3 ms, no loss. */
export const LAN_CONDITIONS: LinkConditions = { loss: 0, duplicate: 0, delay: { baseMs: 0.2, jitterMs: 0.3, jitter: 'exponential' } };

export type DropCause = 'loss' | 'partition' | 'down';

export interface NetworkStats {
  sent: number;
  delivered: number;
  duplicated: number;
  dropped: Record<DropCause, number>;
  /** Bytes handed to the network and bytes delivered (0 without a size function). */
  bytesSent: number;
  bytesDelivered: number;
}

export type Receiver<M> = (from: string, message: M) => void;

export interface SimNetworkOptions<M> {
  readonly conditions?: Partial<LinkConditions>;
  /** Size in bytes of a message, for the byte counters. */
  readonly sizeOf?: (message: M) => number;
}

export class SimNetwork<M> {
  private defaults: LinkConditions;
  private readonly links = new Map<string, Partial<LinkConditions>>();
  private readonly outbound = new Map<string, Partial<LinkConditions>>();
  private readonly inbound = new Map<string, Partial<LinkConditions>>();
  private readonly receivers = new Map<string, Receiver<M>>();
  private readonly groupOf = new Map<string, number>();
  private readonly isolated = new Set<string>();
  private readonly sizeOf: ((message: M) => number) | undefined;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, duplicated: 0, dropped: { loss: 0, partition: 0, down: 0 }, bytesSent: 0, bytesDelivered: 0 };

  constructor(
    private readonly clock: SimClock,
    private readonly rng: Rng,
    options: SimNetworkOptions<M> = {},
  ) {
    this.defaults = { ...LAN_CONDITIONS, ...options.conditions };
    this.sizeOf = options.sizeOf;
  }

  // ---- endpoints -----------------------------------------------------------

  /** Makes `id` reachable: messages to it are handed to `receive`. */
  attach(id: string, receive: Receiver<M>): void {
    this.receivers.set(id, receive);
  }

  /** Makes `id` unreachable (a crash): messages to it, in flight included, are dropped. */
  detach(id: string): void {
    this.receivers.delete(id);
  }

  // ---- conditions ------------------------------------------------------------

  /** Changes the conditions of every link that has no more specific setting. */
  setDefaults(conditions: Partial<LinkConditions>): void {
    this.defaults = { ...this.defaults, ...conditions };
  }

  /** Sets (or with undefined, clears) the conditions of the one-way link `from` -> `to`; they replace all others. */
  setLink(from: string, to: string, conditions: Partial<LinkConditions> | undefined): void {
    setOrClear(this.links, `${from}\u0000${to}`, conditions);
  }

  /** Conditions added to everything `id` sends (losses combine independently). */
  setOutbound(id: string, conditions: Partial<LinkConditions> | undefined): void {
    setOrClear(this.outbound, id, conditions);
  }

  /** Conditions added to everything `id` receives. */
  setInbound(id: string, conditions: Partial<LinkConditions> | undefined): void {
    setOrClear(this.inbound, id, conditions);
  }

  /** The conditions that apply to `from` -> `to`. */
  conditions(from: string, to: string): LinkConditions {
    const link = this.links.get(`${from}\u0000${to}`);
    if (link) return { ...this.defaults, ...link };
    const out = this.outbound.get(from);
    const inb = this.inbound.get(to);
    if (!out && !inb) return this.defaults;
    const survive = (1 - this.defaults.loss) * (1 - (out?.loss ?? 0)) * (1 - (inb?.loss ?? 0));
    return {
      loss: 1 - survive,
      duplicate: Math.max(this.defaults.duplicate, out?.duplicate ?? 0, inb?.duplicate ?? 0),
      delay: inb?.delay ?? out?.delay ?? this.defaults.delay,
    };
  }

  // ---- partitions ------------------------------------------------------------

  /** Splits the listed ids into groups that cannot reach each other; ids not listed still reach everyone. Replaces any earlier partition. */
  partition(...groups: readonly (readonly string[])[]): void {
    this.groupOf.clear();
    groups.forEach((group, i) => {
      for (const id of group) this.groupOf.set(id, i);
    });
  }

  /** Cuts `id` off from everyone, until `heal`. */
  isolate(id: string): void {
    this.isolated.add(id);
  }

  /** Removes all partitions and isolations. */
  heal(): void {
    this.groupOf.clear();
    this.isolated.clear();
  }

  /** Whether a message from `a` can reach `b` now (partitions only; loss aside). */
  canReach(a: string, b: string): boolean {
    if (a === b) return true;
    if (this.isolated.has(a) || this.isolated.has(b)) return false;
    const ga = this.groupOf.get(a);
    const gb = this.groupOf.get(b);
    return ga === undefined || gb === undefined || ga === gb;
  }

  // ---- sending -------------------------------------------------------------------

  /** Sends an unreliable datagram: it may be lost, duplicated, delayed and reordered. */
  send(from: string, to: string, message: M): void {
    const size = this.count(message);
    if (!this.canReach(from, to)) {
      this.stats.dropped.partition++;
      return;
    }
    const c = this.conditions(from, to);
    if (c.loss > 0 && this.rng.next() < c.loss) {
      this.stats.dropped.loss++;
      return;
    }
    this.schedule(from, to, message, size, c.delay);
    if (c.duplicate > 0 && this.rng.next() < c.duplicate) {
      this.stats.duplicated++;
      this.schedule(from, to, message, size, c.delay);
    }
  }

  /** Sends over a reliable stream: only delayed, but lost with a partition or a crash. `onFail` runs when it is dropped. */
  sendReliable(from: string, to: string, message: M, onFail?: (cause: DropCause) => void): void {
    const size = this.count(message);
    if (!this.canReach(from, to)) {
      this.stats.dropped.partition++;
      onFail?.('partition');
      return;
    }
    this.schedule(from, to, message, size, this.conditions(from, to).delay, onFail);
  }

  private count(message: M): number {
    this.stats.sent++;
    const size = this.sizeOf ? this.sizeOf(message) : 0;
    this.stats.bytesSent += size;
    return size;
  }

  private schedule(from: string, to: string, message: M, size: number, delay: DelayModel, onFail?: (cause: DropCause) => void): void {
    this.clock.after(this.sampleDelay(delay), () => {
      const receive = this.receivers.get(to);
      const cause: DropCause | undefined = !this.canReach(from, to) ? 'partition' : receive === undefined ? 'down' : undefined;
      if (cause !== undefined || receive === undefined) {
        this.stats.dropped[cause ?? 'down']++;
        onFail?.(cause ?? 'down');
        return;
      }
      this.stats.delivered++;
      this.stats.bytesDelivered += size;
      receive(from, message);
    });
  }

  private sampleDelay(d: DelayModel): number {
    if (d.jitterMs <= 0) return d.baseMs;
    const u = this.rng.next();
    return d.baseMs + (d.jitter === 'uniform' ? u * d.jitterMs : -Math.log(1 - u) * d.jitterMs);
  }
}

function setOrClear<K, V>(map: Map<K, V>, key: K, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
