/**
 * The one path every Raft request takes: run it on this member's host, and
 * when only the leader can serve it, forward it there (once) or say that
 * there is no leader. Before the group is formed there is no host yet.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostPort } from '../../config/values.js';
import type { KvResult } from '../../core/state/kv-types.js';
import { sendNoLeader, sendOutcomeFailure, type Style } from './answers.js';
import { Forwarder } from './forward.js';
import type { RaftHost } from '../../runtime/raft/host.js';
import type { Outcome } from '../../runtime/raft/outcome.js';

export interface Gate {
  /** This member's host; undefined while the group is being formed. */
  host(): RaftHost | undefined;
  resolve(id: string): HostPort | undefined;
  /** Whether Raft traffic reaches `id` now, so a write may be forwarded to it inside Raft. */
  canForward(id: string): boolean;
  readonly forwarder: Forwarder;
}

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly style: Style;
  /** The request body as received, for forwarding. */
  readonly body: Uint8Array;
  /** How long a forwarded request may take at the leader; default a little over REQUEST_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

/** Runs `run` here; answers its result with `answer`, forwards to the leader, or answers why neither. */
export async function serve(gate: Gate, x: Exchange, run: (host: RaftHost) => Promise<Outcome> | Outcome, answer: (result: KvResult) => void): Promise<void> {
  const host = gate.host();
  if (host === undefined) {
    sendNoLeader(x.res, x.style, 'this member is waiting for the group to form or to be added to it');
    return;
  }
  const outcome = await run(host);
  if (outcome.kind === 'done') {
    answer(outcome.result);
    return;
  }
  if (outcome.kind === 'not-leader' && outcome.leader !== null && outcome.leader !== host.id && !Forwarder.isForwarded(x.req)) {
    const to = gate.resolve(outcome.leader);
    if (to !== undefined) {
      await gate.forwarder.relay(x.req, x.body, x.res, outcome.leader, to, x.style, x.timeoutMs);
      return;
    }
  }
  sendOutcomeFailure(x.res, x.style, outcome);
}
