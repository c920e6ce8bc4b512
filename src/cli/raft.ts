/**
 * `dinc-agent raft add|remove|transfer-leader|list-peers`: change and show
 * the Raft group through a member's Raft API (`--addr`, or `[raft] listen`
 * of `--config`, with `[agent] api_token` of that file unless `--token` or
 * DINC_API_TOKEN says otherwise). A follower forwards changes to the leader.
 */
import { ExitCode } from '../errors.js';
import { callAgent, raftEndpoint, type AgentTarget } from './agent-client.js';
import type { CliIO } from './io.js';

export interface RaftTarget extends AgentTarget {
  readonly json?: boolean;
}

interface PeerRow {
  readonly node: string;
  readonly id: string;
  readonly address: string | null;
  readonly state: string;
  readonly voter: boolean;
  readonly commit_index: number | null;
  readonly trails_leader_by: number | null;
}

interface PeerList {
  readonly leader: string | null;
  readonly term: number;
  readonly peers: readonly PeerRow[];
}

/** Adding waits for the new member to catch up (up to a minute on the agent's side). */
const CHANGE_TIMEOUT_MS = 75_000;

export async function raftListPeers(opts: RaftTarget, io: CliIO): Promise<ExitCode> {
  return show((await callAgent(await raftEndpoint(opts, io), '/v1/raft/peers')) as PeerList, opts, io);
}

export async function raftAdd(id: string, address: string, opts: RaftTarget, io: CliIO): Promise<ExitCode> {
  return change(opts, io, '/v1/raft/peers', 'POST', { id, address });
}

export async function raftRemove(id: string, opts: RaftTarget, io: CliIO): Promise<ExitCode> {
  return change(opts, io, `/v1/raft/peers/${encodeURIComponent(id)}`, 'DELETE');
}

export async function raftTransferLeader(to: string | undefined, opts: RaftTarget, io: CliIO): Promise<ExitCode> {
  return change(opts, io, '/v1/raft/transfer-leader', 'POST', to === undefined ? {} : { to });
}

async function change(opts: RaftTarget, io: CliIO, path: string, method: string, body?: object): Promise<ExitCode> {
  const headers = { 'content-type': 'application/json' };
  const answer = (await callAgent(await raftEndpoint(opts, io), path, { method, headers, ...(body && { body: JSON.stringify(body) }) }, CHANGE_TIMEOUT_MS)) as PeerList;
  return show(answer, opts, io);
}

function show(list: PeerList, opts: RaftTarget, io: CliIO): ExitCode {
  io.stdout.write(opts.json ? `${JSON.stringify(list, null, 2)}\n` : renderPeers(list.peers));
  return ExitCode.Ok;
}

/** Consul's `raft list-peers` columns; the leader's view fills the last two. */
export function renderPeers(rows: readonly PeerRow[]): string {
  const dash = (v: number | null): string => (v === null ? '-' : String(v));
  const table = [
    ['Node', 'ID', 'Address', 'State', 'Voter', 'Commit Index', 'Trails Leader By'],
    ...rows.map((p) => [p.node, p.id, p.address ?? '-', p.state, String(p.voter), dash(p.commit_index), p.trails_leader_by === null ? '-' : `${p.trails_leader_by} commits`]),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length))) ?? [];
  return table.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}
