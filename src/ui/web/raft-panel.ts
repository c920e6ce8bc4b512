/**
 * The Raft panel: shown only while the snapshot carries a raft slot this page
 * can read. The role's state and its disk's trouble (failed, or retrying a
 * write) or removal from the group, term, leader, indexes and
 * keys, then the group's members.
 */
import { raftSlotOf } from '../../ops/raft-slot.js';
import type { RaftRoleStatus } from '../../ops/snapshot.js';
import { byId, setAttribute, setText } from './dom.js';
import { RaftMembersTable } from './raft-members-table.js';

export class RaftPanel {
  private readonly members = new RaftMembersTable(byId('raft-members'));

  constructor(private readonly section: HTMLElement) {}

  /** Shows the raft slot of `roles`, or hides the panel when there is none (or none this page reads). */
  render(roles: Readonly<Record<string, unknown>>): void {
    const slot = raftSlotOf(roles);
    this.section.hidden = slot === null;
    if (slot !== null) this.show(slot);
  }

  private show(r: RaftRoleStatus): void {
    const failure = byId('raft-failure');
    const trouble =
      r.storage_failure !== null ? `Storage failed: ${r.storage_failure}` : r.storage_retrying ? `Storage ${r.storage_retrying}` : r.state === 'removed' ? 'Not a member of the Raft group' : '';
    failure.hidden = trouble === '';
    setText(failure, trouble);

    setText(byId('raft-state'), r.state);
    setAttribute(byId('raft-state'), 'data-state', r.state);
    setText(byId('raft-term'), String(r.term));
    setText(byId('raft-leader'), r.leader ?? 'none');
    setText(byId('raft-commit'), String(r.commit_index));
    setText(byId('raft-applied'), String(r.applied_index));
    setText(byId('raft-last'), String(r.last_index));
    setText(byId('raft-snapshot'), String(r.snapshot_index));
    setText(byId('raft-keys'), String(r.keys));
    setText(byId('raft-listen'), r.listen ?? '—');

    byId('raft-table').hidden = r.members.length === 0;
    byId('raft-empty').hidden = r.members.length > 0;
    this.members.render(r.members);
  }
}
