/**
 * The nemesis of a simulated Raft run, from its own seeded Rng, for
 * `durationMs`: one fault after another at random gaps, each undone after a
 * random while (a partition heals, a crashed server restarts from its disk, a
 * paused one resumes, the network calms down), so that the group alternates
 * between trouble and progress. The faults: partitions (random, the leader
 * in a minority, a bridge server that sees both sides, one-way links, the
 * leader isolated), crashes (any server, the leader, a majority at once),
 * pauses, loss, duplication, delay and reordering, and leadership transfers.
 * Traps react to the group: the next leader crashes right after it is
 * elected, or the moment it first commits. Figure 8 of the Raft paper is a
 * scenario of its own (`figure8`). Meanwhile, membership changes go through
 * the leader. `healAll` undoes whatever is left.
 */
import type { NodeId } from '../../src/core/raft/types.js';
import type { Rng } from '../../src/core/rng.js';
import type { LinkConditions } from './network.js';
import type { RaftCluster } from './raft-cluster.js';
import { Reconfigurer } from './raft-reconfig.js';
import type { LeaderEvent, SimServer } from './raft-process.js';

export interface NemesisOptions {
  /** Virtual milliseconds during which faults are injected. */
  readonly durationMs: number;
  /** Mean virtual milliseconds between two faults. */
  readonly meanGapMs: number;
  /** Change the membership (add, promote, remove servers) meanwhile. */
  readonly membership: boolean;
}

/** A reaction armed by an action: the next leader of a term above `afterTerm` that is elected (or commits) crashes soon after. */
interface Trap {
  readonly on: LeaderEvent;
  /** Cut it off from everyone at that very moment, before it sends what it is about to send. */
  readonly isolate: boolean;
  readonly afterTerm: number;
  /** Runs when the victim has crashed: brings it back. */
  readonly restart: (id: NodeId) => void;
}

export class Nemesis {
  private readonly reconfig: Reconfigurer;
  private readonly baseConditions: LinkConditions;
  /** Reactions armed by actions, waiting for their leader event. */
  private traps: Trap[] = [];
  /** A scenario runs alone: no other fault or membership change starts before this time. */
  private scenarioUntil = 0;
  /** Bumped by every partition and by every change of link conditions, so that a late undo leaves a newer one alone. */
  private partitions = 0;
  private conditions = 0;
  private ended = false;
  /** Each action with its relative weight. */
  private readonly actions: readonly (readonly [name: string, weight: number, act: () => void])[];

  constructor(
    private readonly cluster: RaftCluster,
    private readonly rng: Rng,
    private readonly options: NemesisOptions,
  ) {
    this.reconfig = new Reconfigurer(cluster, rng, cluster.options.servers);
    this.baseConditions = cluster.network.conditions('', '');
    cluster.onLeaderEvent((server, event) => this.leaderEvent(server, event));
    this.actions = [
      ['partition', 8, () => this.partitionFor(() => this.partitionRandom())],
      ['partition-leader-minority', 8, () => this.partitionFor(() => this.leaderInMinority())],
      ['bridge', 4, () => this.partitionFor(() => this.bridge())],
      ['isolate-leader', 6, () => this.partitionFor(() => this.isolateLeader())],
      ['heal', 3, () => this.heal()],
      ['crash', 6, () => this.crashAndRestart(this.pick(cluster.upIds()), 50, 1500)],
      ['crash-leader', 8, () => this.crashAndRestart(cluster.leader()?.id, 20, 800)],
      ['crash-majority', 2, () => this.crashMajority()],
      ['kill-next-leader', 6, () => this.arm('elected', false, (id) => this.restartLater(id))],
      ['kill-leader-at-commit', 3, () => this.arm('committed', true, (id) => this.restartLater(id))],
      ['figure-8', 8, () => this.figure8()],
      ['pause', 5, () => this.pause(this.pick(cluster.upIds()))],
      ['pause-leader', 3, () => this.pause(cluster.leader()?.id)],
      ['bad-network', 8, () => this.conditionsFor(() => this.badNetwork())],
      ['one-way', 3, () => this.conditionsFor(() => this.oneWay())],
      ['transfer-leadership', 4, () => this.transferLeadership()],
    ];
  }

  /** Starts injecting faults (and membership changes) now, for `durationMs`. */
  start(): void {
    const end = this.cluster.now + this.options.durationMs;
    const during = (gap: () => number, act: () => void): void => {
      const next = (): void => {
        if (this.ended || this.cluster.now >= end) return;
        if (this.cluster.now >= this.scenarioUntil) act();
        this.cluster.clock.after(gap(), next);
      };
      this.cluster.clock.after(gap(), next);
    };
    during(() => -Math.log(1 - this.rng.next()) * this.options.meanGapMs, () => this.act());
    if (this.options.membership) during(() => this.uniform(100, 600), () => this.reconfig.step());
  }

  /** Ends the faults: heals the network, restores its conditions, resumes and restarts every server; nothing more happens. */
  healAll(): void {
    this.ended = true;
    this.traps = [];
    this.settle();
  }

  /** Heals the network, restores its conditions, resumes and restarts every server. */
  private settle(): void {
    const { cluster } = this;
    cluster.trace.log('nemesis', () => 'heal everything');
    this.heal();
    this.calmNetwork();
    for (const s of cluster.all) {
      if (s.status === 'paused') cluster.resume(s.id);
      if (s.status === 'crashed') cluster.restart(s.id);
    }
  }

  private act(): void {
    const total = this.actions.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.rng.next() * total;
    for (const [name, weight, act] of this.actions) {
      roll -= weight;
      if (roll >= 0) continue;
      this.cluster.trace.log('nemesis', () => `action ${name}`);
      act();
      return;
    }
  }

  private uniform(min: number, max: number): number {
    return min + this.rng.next() * (max - min);
  }

  private pick(ids: readonly NodeId[]): NodeId | undefined {
    return ids.length === 0 ? undefined : ids[this.rng.int(ids.length)];
  }

  /** Runs `action` after `ms`, unless the faults have ended by then. */
  private later(ms: number, action: () => void): void {
    this.cluster.clock.after(ms, () => {
      if (!this.ended) action();
    });
  }

  // ---- partitions ---------------------------------------------------------------------

  /** Applies a partition and heals it 0.2-1.5 s later, unless another partition came meanwhile. */
  private partitionFor(apply: () => void): void {
    const generation = ++this.partitions;
    apply();
    this.later(this.uniform(200, 1500), () => {
      if (this.partitions === generation) this.heal();
    });
  }

  private partitionRandom(): void {
    const ids = this.rng.shuffle(this.cluster.members());
    const size = 1 + this.rng.int(Math.max(1, ids.length - 1));
    const a = ids.slice(0, size);
    const b = ids.slice(size);
    this.cluster.network.partition(a, b);
    this.cluster.trace.log('nemesis', () => `partition: [${a.join(' ')}] | [${b.join(' ')}]`);
  }

  /** The leader, with fewer than half of the others, cut off from the rest. */
  private leaderInMinority(): void {
    const leader = this.cluster.leader()?.id;
    if (leader === undefined) return;
    const others = this.rng.shuffle(this.cluster.members().filter((id) => id !== leader));
    const minority = [leader, ...others.slice(0, this.rng.int(Math.floor((others.length + 1) / 2)))];
    const rest = others.filter((id) => !minority.includes(id));
    this.cluster.network.partition(minority, rest);
    this.cluster.trace.log('nemesis', () => `partition leader in minority: [${minority.join(' ')}] | [${rest.join(' ')}]`);
  }

  /** Two sides that cannot reach each other, and one server that reaches both. */
  private bridge(): void {
    const [bridge, ...rest] = this.rng.shuffle(this.cluster.members());
    if (bridge === undefined || rest.length < 2) return;
    const half = Math.floor(rest.length / 2);
    this.cluster.network.partition(rest.slice(0, half), rest.slice(half));
    this.cluster.trace.log('nemesis', () => `bridge ${bridge} between [${rest.slice(0, half).join(' ')}] and [${rest.slice(half).join(' ')}]`);
  }

  private isolateLeader(): void {
    const leader = this.cluster.leader()?.id;
    if (leader === undefined) return;
    this.cluster.network.isolate(leader);
    this.cluster.trace.log('nemesis', () => `isolate leader ${leader}`);
  }

  private heal(): void {
    this.cluster.network.heal();
    this.cluster.trace.log('nemesis', () => 'heal partitions');
  }

  // ---- crashes and pauses -----------------------------------------------------------------

  /** Crashes `id` now and restarts it from its disk `minMs`..`maxMs` later. */
  private crashAndRestart(id: NodeId | undefined, minMs: number, maxMs: number): void {
    if (id === undefined || !this.cluster.server(id).up) return;
    this.cluster.crash(id);
    this.later(this.uniform(minMs, maxMs), () => this.cluster.restart(id));
  }

  private crashMajority(): void {
    const up = this.rng.shuffle(this.cluster.upIds());
    const count = Math.floor(this.cluster.members().length / 2) + 1;
    for (const id of up.slice(0, count)) this.crashAndRestart(id, 100, 2000);
  }

  private restartLater(id: NodeId): void {
    this.later(this.uniform(200, 1000), () => this.cluster.restart(id));
  }

  private pause(id: NodeId | undefined): void {
    if (id === undefined) return;
    this.cluster.pause(id);
    this.later(this.uniform(30, 1200), () => this.cluster.resume(id));
  }

  /** The leader hands over to another voter (which the other faults may well interrupt). */
  private transferLeadership(): void {
    const leader = this.cluster.leader();
    if (leader === undefined) return;
    const to = this.pick(leader.raft.status().conf.voters.filter((id) => id !== leader.id));
    if (to !== undefined) this.cluster.transferLeadership(to);
  }

  // ---- traps and Figure 8 -----------------------------------------------------------------

  /** The next leader of a later term to be elected (or to commit) is crashed soon after, and first cut off at once if `isolate`. */
  private arm(on: LeaderEvent, isolate: boolean, restart: (id: NodeId) => void): void {
    const afterTerm = Math.max(0, ...this.cluster.checker.leaderTerms.keys());
    this.traps.push({ on, isolate, afterTerm, restart });
    this.cluster.trace.log('nemesis', () => `armed: the next leader after term ${afterTerm} that is ${on} will crash${isolate ? ', cut off at once' : ''}`);
  }

  private leaderEvent(server: SimServer, event: LeaderEvent): void {
    if (this.ended) return;
    const term = server.raft.status().term;
    const trap = this.traps.find((t) => t.on === event && term > t.afterTerm);
    if (trap === undefined) return;
    this.traps = this.traps.filter((t) => t !== trap);
    if (trap.isolate) this.cluster.network.isolate(server.id);
    const afterMs = this.uniform(0, trap.isolate ? 5 : 15);
    this.cluster.trace.log('nemesis', () => `trap: ${server.id} ${event} in term ${term}${trap.isolate ? ', cut off now' : ''}; crash in ${afterMs.toFixed(1)} ms`);
    this.later(afterMs, () => {
      if (!server.up) return;
      this.cluster.crash(server.id);
      trap.restart(server.id);
    });
  }

  /**
   * Figure 8 of the Raft paper: the leader is cut off with a minority while
   * clients still write to it (entries of its term reach only the minority);
   * the next leader is killed the moment it is elected (its own entry stays
   * on it alone) and stays down; the first leader crashes, the network heals,
   * and the first leader comes back, wins, and replicates its old entries; it
   * is killed the moment it commits, and the second comes back. A core that
   * commits an earlier term's entries by counting replicas has now committed
   * entries that the second leader can win and overwrite.
   */
  private figure8(): void {
    // It starts from a healthy group, with no other trap armed, and runs alone.
    this.scenarioUntil = Infinity;
    this.traps = [];
    this.settle();
    this.whenLeader(1000, (first) => {
      let second: NodeId | undefined;
      const restartSecond = (): void => {
        if (second !== undefined) this.cluster.restart(second);
        second = undefined;
      };
      this.leaderInMinority();
      this.arm('elected', true, (id) => (second = id));
      this.later(this.uniform(50, 300), () => {
        this.cluster.crash(first);
        this.later(this.uniform(0, 50), () => {
          this.heal();
          this.later(this.uniform(10, 100), () => {
            this.arm('committed', true, (id) => {
              this.later(this.uniform(0, 50), restartSecond);
              this.restartLater(id);
            });
            this.cluster.restart(first);
            this.later(1000, () => {
              restartSecond();
              this.scenarioUntil = this.cluster.now;
            });
          });
        });
      });
    });
  }

  /** Calls `then` with the leader as soon as there is one, polling for up to `maxMs`; gives up (ending the scenario) after that. */
  private whenLeader(maxMs: number, then: (leader: NodeId) => void): void {
    const leader = this.cluster.leader()?.id;
    if (leader !== undefined) then(leader);
    else if (maxMs <= 0) this.scenarioUntil = this.cluster.now;
    else this.later(10, () => this.whenLeader(maxMs - 10, then));
  }

  // ---- link conditions -----------------------------------------------------------------------

  /** Changes link conditions and calms the network 0.2-2 s later, unless another change came meanwhile. */
  private conditionsFor(apply: () => void): void {
    const generation = ++this.conditions;
    apply();
    this.later(this.uniform(200, 2000), () => {
      if (this.conditions === generation) this.calmNetwork();
    });
  }

  /** Loss, duplication and a delay whose jitter reorders messages, on every link. */
  private badNetwork(): void {
    const conditions: LinkConditions = {
      loss: this.rng.next() < 0.5 ? this.uniform(0, 0.3) : 0,
      duplicate: this.rng.next() < 0.5 ? this.uniform(0, 0.2) : 0,
      delay: { baseMs: this.uniform(0.2, 5), jitterMs: this.uniform(0, 30), jitter: this.rng.next() < 0.5 ? 'uniform' : 'exponential' },
    };
    this.cluster.network.setDefaults(conditions);
    this.cluster.trace.log('nemesis', () => `network: ${JSON.stringify(conditions)}`);
  }

  /** A server whose sends are (mostly) lost while it still receives. */
  private oneWay(): void {
    const id = this.pick(this.cluster.members());
    if (id === undefined) return;
    const loss = this.uniform(0.8, 1);
    this.cluster.network.setOutbound(id, { loss });
    this.cluster.trace.log('nemesis', () => `one-way: ${id} loses ${(loss * 100).toFixed(0)}% of what it sends`);
  }

  private calmNetwork(): void {
    this.cluster.network.setDefaults(this.baseConditions);
    for (const s of this.cluster.all) this.cluster.network.setOutbound(s.id, undefined);
    this.cluster.trace.log('nemesis', () => 'network calm');
  }
}
