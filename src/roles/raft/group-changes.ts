/**
 * Changes to the Raft group, run on the leader one step at a time. Adding a
 * member records its address (and any member's the book lacks) in the
 * replicated address book, adds it as a
 * learner, and promotes it to voter once it has caught up (the core refuses
 * the promotion before that; it is retried until `deadlineMs`). Every step is
 * idempotent, so a request retried or forwarded after a leader change redoes
 * only what is missing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { formatHostPort, type HostPort } from '../../config/values.js';
import { encodeKvCommand } from '../../core/state/kv-codec.js';
import { addressKey } from './address-book.js';
import type { RaftHost } from '../../runtime/raft/host.js';
import type { Outcome } from '../../runtime/raft/outcome.js';
import { REQUEST_TIMEOUT_MS } from './settings.js';

/**
 * How long an added member may take to catch up before the request gives up (it stays a learner).
 * Not a setting: giving up changes nothing in the group (the learner keeps catching up and is promoted
 * later); it only bounds how long `dinc-agent raft add` waits.
 */
export const CATCH_UP_DEADLINE_MS = 60_000;
/** How often the promotion is tried again while the learner catches up. Not a setting: a poll of local state. */
const PROMOTE_RETRY_MS = 100;

export async function addMember(host: RaftHost, id: string, address: HostPort, resolve: (id: string) => HostPort | undefined, deadlineMs = CATCH_UP_DEADLINE_MS): Promise<Outcome> {
  const { conf } = host.status();
  // The new member knows no one: the book must hold every member's address (the founders' come from [raft] peers).
  const book = new Map([...conf.voters, ...conf.learners].filter((m) => m !== id && !host.readLocal(addressKey(m)).ok).map((m) => [m, resolve(m)] as const));
  book.set(id, address);
  for (const [member, at] of book) {
    if (at === undefined) continue;
    const recorded = await host.write(encodeKvCommand({ type: 'put', key: addressKey(member), value: formatHostPort(at) }), REQUEST_TIMEOUT_MS);
    if (recorded.kind !== 'done') return recorded;
  }
  if (conf.voters.includes(id)) return { kind: 'done', result: { ok: true, revision: 0 } };
  if (!conf.learners.includes(id)) {
    const added = await host.changeConf({ type: 'add-learner', node: id }, REQUEST_TIMEOUT_MS);
    if (added.kind !== 'done') return added;
  }
  const until = performance.now() + deadlineMs;
  for (;;) {
    const promoted = await host.changeConf({ type: 'promote', node: id }, REQUEST_TIMEOUT_MS);
    if (promoted.kind !== 'refused') return promoted;
    if (performance.now() > until) {
      return { kind: 'refused', reason: `${id} was added as a learner but did not catch up within ${deadlineMs / 1000} s (${promoted.reason}); it stays a learner: check that it runs and is reachable, then add it again` };
    }
    await sleep(PROMOTE_RETRY_MS);
  }
}

export async function removeMember(host: RaftHost, id: string): Promise<Outcome> {
  const { conf } = host.status();
  if (!conf.voters.includes(id) && !conf.learners.includes(id)) return { kind: 'done', result: { ok: true, revision: 0 } };
  if (conf.voters.length === 1 && conf.voters[0] === id) return rejected(409, 'DINC_REJECTED', `${id} is the group's last voter; add another member first`);
  return host.changeConf({ type: 'remove', node: id }, REQUEST_TIMEOUT_MS);
}

/** Hands leadership to `to` (default: the most caught-up other voter) and waits until it leads. */
export async function transferLeadership(host: RaftHost, to: string | undefined): Promise<Outcome> {
  const status = host.status();
  if (status.role !== 'leader') return { kind: 'not-leader', leader: status.leader };
  const { conf } = status;
  if (to !== undefined && !conf.voters.includes(to)) {
    return conf.learners.includes(to)
      ? rejected(409, 'DINC_REJECTED', `${to} is a learner, not a voter: only a voter can lead (it is promoted once it has caught up)`)
      : rejected(404, 'DINC_NO_SUCH_MEMBER', `${to} is not a member of the Raft group; see raft list-peers`);
  }
  const target = to ?? bestSuccessor(host);
  if (target === undefined) return rejected(409, 'DINC_REJECTED', 'there is no other voter to hand leadership to');
  if (target === host.id) return { kind: 'done', result: { ok: true, revision: 0 } };
  const refused = host.transferLeadership(target);
  if (refused !== null) return refused;
  const until = performance.now() + REQUEST_TIMEOUT_MS;
  while (performance.now() < until) {
    if (host.status().leader === target) return { kind: 'done', result: { ok: true, revision: 0 } };
    await sleep(20);
  }
  return { kind: 'unknown', reason: `${target} did not take over within ${REQUEST_TIMEOUT_MS / 1000} s` };
}

function bestSuccessor(host: RaftHost): string | undefined {
  const { conf, progress } = host.status();
  const others = conf.voters.filter((v) => v !== host.id);
  return others.sort((a, b) => (progress?.[b]?.match ?? 0) - (progress?.[a]?.match ?? 0))[0];
}

function rejected(status: 404 | 409, code: 'DINC_NO_SUCH_MEMBER' | 'DINC_REJECTED', reason: string): Outcome {
  return { kind: 'rejected', status, code, reason };
}
