/**
 * Membership changes for the nemesis, one step per call, always through the
 * current leader: start an empty server and add it as a learner, promote a
 * learner, or remove a voter (the leader itself included), keeping the voters
 * within one of the starting count. A refused change is simply tried again at
 * a later step; at most `maxAdded` servers are ever added.
 */
import type { ConfState, NodeId } from '../../src/core/raft/types.js';
import type { Rng } from '../../src/core/rng.js';
import type { RaftCluster } from './raft-cluster.js';

export class Reconfigurer {
  /** A server started empty that is not yet in the configuration. */
  private joiner: NodeId | undefined;
  private added = 0;

  constructor(
    private readonly cluster: RaftCluster,
    private readonly rng: Rng,
    private readonly voters: number,
    private readonly maxAdded = 6,
  ) {}

  /** Takes the next step towards a different configuration, if a leader can take one now. */
  step(): void {
    const leader = this.cluster.leader();
    if (leader === undefined) return;
    const conf = leader.raft.status().conf;
    if (this.joiner !== undefined && !isMember(conf, this.joiner)) {
      this.cluster.proposeConfChange({ type: 'add-learner', node: this.joiner });
      return;
    }
    this.joiner = undefined;
    const learner = conf.learners[0];
    if (learner !== undefined) {
      this.cluster.proposeConfChange({ type: 'promote', node: learner });
      return;
    }
    const canAdd = this.added < this.maxAdded && conf.voters.length <= this.voters;
    const canRemove = conf.voters.length >= this.voters;
    if (canAdd && (!canRemove || this.rng.next() < 0.5)) {
      this.joiner = this.cluster.addServer();
      this.added++;
      this.cluster.proposeConfChange({ type: 'add-learner', node: this.joiner });
    } else if (canRemove) {
      // The leader a third of the time: it must hand over and step down.
      const victim = this.rng.next() < 1 / 3 ? leader.id : (conf.voters[this.rng.int(conf.voters.length)] as NodeId);
      this.cluster.proposeConfChange({ type: 'remove', node: victim });
    }
  }
}

function isMember(conf: ConfState, id: NodeId): boolean {
  return conf.voters.includes(id) || conf.learners.includes(id);
}
