/**
 * Follows who leads, by re-running the pure election on each change of
 * membership, and logs every change in GoCluster's words ("Following new
 * leader: X"), or, when this agent is the new leader, "This agent (X) is now
 * the leader".
 */
import { elect, type Election } from '../../core/election/leader.js';
import type { Member } from '../../core/membership/types.js';
import type { EventLog } from '../../ops/event-log.js';
import type { Logger } from '../../ops/log.js';

export interface LeaderView extends Election {
  /** Time (ms since the epoch) of the last change of leader or of quorum. */
  readonly since: number;
  /** Leader changes seen since start. */
  readonly changes: number;
}

export class Leadership {
  private view: LeaderView;

  constructor(
    /** This agent's id: its own leadership is worded apart. */
    private readonly selfId: string,
    private readonly log: Logger,
    private readonly events: EventLog,
    readonly expected: number,
    private preempt: boolean,
    now: number,
  ) {
    this.view = { leader: null, quorum: { needed: 0, seen: 0, reached: false }, reason: 'not started', since: now, changes: 0 };
  }

  get current(): LeaderView {
    return this.view;
  }

  setPreempt(preempt: boolean): void {
    this.preempt = preempt;
  }

  /** Re-elects from `members`; logs and returns true when the leader changed. */
  update(members: readonly Member[], now: number): boolean {
    const alive = members.filter((m) => m.state === 'alive').map((m) => m.id);
    const suspected = members.filter((m) => m.state === 'suspect').map((m) => m.id);
    const before = this.view;
    const next = elect({ alive, suspected, expected: this.expected, previous: before.leader, preempt: this.preempt });
    const changed = next.leader !== before.leader;
    const quorumChanged = next.quorum.reached !== before.quorum.reached;
    this.view = { ...next, since: changed || quorumChanged ? now : before.since, changes: before.changes + (changed && before.leader !== null ? 1 : 0) };
    if (quorumChanged) this.events.add('quorum', null, next.quorum.reached ? `Quorum reached: sees ${next.quorum.seen} of ${next.quorum.needed} needed` : `Quorum lost: ${next.reason}`);
    if (!changed) return false;
    if (before.leader !== null && !alive.includes(before.leader) && !suspected.includes(before.leader)) {
      this.log.warn(`Leader ${before.leader} timed out, initiating new election`);
    }
    if (next.leader !== null) {
      const line = next.leader === this.selfId ? `This agent (${next.leader}) is now the leader` : `Following new leader: ${next.leader}`;
      this.log.info(line, { seen: next.quorum.seen, needed: next.quorum.needed });
      this.events.add('leader', next.leader, line);
    } else {
      this.log.warn(`No leader: ${next.reason}`);
      this.events.add('leader', null, `No leader: ${next.reason}`);
    }
    return true;
  }
}
