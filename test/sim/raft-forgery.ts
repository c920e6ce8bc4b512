/**
 * A simulated Raft group under an attacker who forges Raft messages (the
 * transport without a token authenticates nothing): while clients write, the
 * attacker sends every member, for `forgeMs`, a forged message of one kind
 * with one kind of term, through the real wire codec, each claiming to come
 * from a real member; then it stops. The group must elect a leader and commit
 * a write invoked after the forgery stopped within HEAL_MS of virtual time,
 * with every safety property checked all along and the clients' history
 * linearizable. What the attacker sends models term forgery only: a forger who
 * also fakes the leader's log or commit index in its current term can corrupt
 * data, which no rule can tell from the real leader (docs/raft.md).
 */
import { MAX_TERM, MAX_TERM_JUMP } from '../../src/core/raft/plausible.js';
import type { Message, NodeId } from '../../src/core/raft/types.js';
import { RaftCluster, streamRng } from './raft-cluster.js';
import { SimClient } from './raft-clients.js';
import { History } from './raft-history.js';
import { SafetyViolation } from './raft-invariants.js';
import { checkHistory } from './raft-linearizability.js';
import { throughCodec } from './raft-wire.js';

/** Virtual milliseconds after the forgery stops within which the group must be writable again. */
export const HEAL_MS = 30_000;

export const FORGED_KINDS = ['heartbeat', 'append', 'pre-vote', 'vote', 'timeout-now', 'append-resp'] as const;
export type ForgedKind = (typeof FORGED_KINDS)[number];

/** The term a forged message carries, from the receiver's term `own`. */
export const FORGED_TERMS = {
  'the wire limit 2^53-1': () => Number.MAX_SAFE_INTEGER,
  'the ceiling 2^48': () => MAX_TERM,
  'just under the ceiling': () => MAX_TERM - 1,
  'the largest jump': (own: number) => own + MAX_TERM_JUMP,
  'the next term': (own: number) => own + 1,
  'the current term': (own: number) => own,
} as const satisfies Record<string, (own: number) => number>;
export type ForgedTerm = keyof typeof FORGED_TERMS;

export interface ForgeryOptions {
  readonly seed: number;
  readonly servers: 3 | 5;
  readonly kind: ForgedKind;
  readonly term: ForgedTerm;
  /** Virtual milliseconds of forgery; one forged message to each member every `everyMs`. Defaults 1000 and 100. */
  readonly forgeMs?: number;
  readonly everyMs?: number;
  /**
   * Pushes members apart instead of together: in round r the i-th member
   * (in id order) is sent a forged message only while r < 2i, so the first
   * gets none and each next one two jumps more than the one before.
   */
  readonly uneven?: boolean;
}

export interface ForgeryResult {
  readonly violation?: string;
  /** Virtual milliseconds from the end of the forgery to the first write invoked after it that completed. */
  readonly healedAfterMs?: number;
  /** Messages the members refused as implausible, all reasons together. */
  readonly refused: number;
  /** Highest term any member holds at the end. */
  readonly maxTerm: number;
  readonly checked: number;
}

/** A forged message of `kind` to `to`, claiming to come from `from`, with term `term`. */
function forge(kind: ForgedKind, from: NodeId, to: NodeId, term: number): Message {
  const envelope = { from, to, term };
  switch (kind) {
    case 'heartbeat':
      return { ...envelope, type: 'heartbeat', commit: 0, ctx: null };
    case 'append':
      return { ...envelope, type: 'append', prevIndex: 1_000_000, prevTerm: 1, entries: [], commit: 0 };
    case 'pre-vote':
    case 'vote':
      // A log from the future, and the flag that bypasses leader stickiness.
      return { ...envelope, type: kind, lastIndex: 1_000_000, lastTerm: term, transfer: true };
    case 'timeout-now':
      return { ...envelope, type: 'timeout-now' };
    case 'append-resp':
      return { ...envelope, type: 'append-resp', reject: false, index: 1_000_000, hintIndex: 0, hintTerm: 0 };
  }
}

export async function runForgery(options: ForgeryOptions): Promise<ForgeryResult> {
  const { seed, kind } = options;
  const forgeMs = options.forgeMs ?? 1000;
  const everyMs = options.everyMs ?? 100;
  const cluster = new RaftCluster({ seed, servers: options.servers, wireCodec: seed % 2 === 0 });
  cluster.start();
  const history = new History();
  const clients = Array.from(
    { length: 3 },
    (_, i) =>
      new SimClient(`c${i + 1}`, streamRng(seed, 6, i), { keys: 3, timeoutMs: 1000, resendMs: 150, thinkMs: 20 }, {
        clock: cluster.clock,
        network: cluster.network,
        history,
        trace: cluster.trace,
        servers: () => cluster.members(),
      }),
  );
  const rng = streamRng(seed, 9);
  let round = 0;
  const attack = (): void => {
    const r = round++;
    for (const to of cluster.upIds()) {
      if (options.uneven && r >= 2 * cluster.members().indexOf(to)) continue;
      const s = cluster.server(to);
      const lead = s.raft.status().leader;
      // Claim to be the leader the receiver follows (what does most harm), else any other member.
      const others = cluster.members().filter((id) => id !== to);
      const from = lead !== null && lead !== to ? lead : (others[rng.int(others.length)] as NodeId);
      const message = forge(kind, from, to, FORGED_TERMS[options.term](s.raft.status().term));
      cluster.network.send('attacker', to, { kind: 'raft', message: throughCodec(message) });
    }
  };

  let violation: string | undefined;
  let healedAfterMs: number | undefined;
  try {
    for (const client of clients) client.start();
    if (!await cluster.runUntil(() => cluster.leader() !== undefined && history.ops.some((op) => op.result?.ok === true), 5000)) {
      return { violation: 'setup: no leader and no write within 5 s', refused: 0, maxTerm: 0, checked: 0 };
    }
    for (let at = 0; at < forgeMs; at += everyMs) cluster.clock.after(at, attack);
    await cluster.runFor(forgeMs);
    const stoppedAt = cluster.now;
    const writtenAfter = (): boolean =>
      history.ops.some((op) => op.op.type !== 'get' && op.invokedAt >= stoppedAt && op.result?.ok === true && op.completedAt !== undefined);
    if (await cluster.runUntil(() => cluster.leader() !== undefined && writtenAfter(), HEAL_MS)) {
      const first = history.ops.filter((op) => op.op.type !== 'get' && op.invokedAt >= stoppedAt && op.result?.ok === true);
      healedAfterMs = Math.min(...first.map((op) => op.completedAt ?? Infinity)) - stoppedAt;
    } else {
      violation = `liveness: no write invoked after the forgery stopped completed within ${HEAL_MS} ms (${states(cluster)})`;
    }
    for (const client of clients) client.stop();
    await cluster.runUntil(() => clients.every((c) => c.idle), 10_000);
  } catch (error) {
    violation = error instanceof SafetyViolation ? error.message : `exception: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  const verdict = violation === undefined ? checkHistory(history, 2000) : undefined;
  if (verdict?.violation !== undefined) violation = `linearizability: ${verdict.violation}`;
  const statuses = cluster.all.map((s) => s.raft.status());
  return {
    ...(violation === undefined ? {} : { violation }),
    ...(healedAfterMs === undefined ? {} : { healedAfterMs }),
    refused: statuses.reduce((sum, st) => sum + Object.values(st.refused).reduce((a, b) => a + b, 0), 0),
    maxTerm: Math.max(...statuses.map((st) => st.term)),
    checked: verdict?.checked ?? 0,
  };
}

function states(cluster: RaftCluster): string {
  return cluster.all.map((s) => `${s.id} ${s.status} ${s.role} term ${s.raft.status().term}`).join('; ');
}
