/** `dinc-agent members`: the cluster's members as this agent sees them (Consul's columns, plus the leader). */
import { ExitCode } from '../errors.js';
import { agentEndpoint, callAgent, type AgentTarget } from './agent-client.js';
import type { CliIO } from './io.js';

interface MemberRow {
  readonly id: string;
  readonly address: string;
  readonly state: string;
  readonly roles: readonly string[];
  readonly leader: boolean;
}

export async function members(opts: AgentTarget & { readonly json?: boolean }, io: CliIO): Promise<ExitCode> {
  const answer = (await callAgent(await agentEndpoint(opts, io), '/v1/members')) as { members: MemberRow[] };
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    return ExitCode.Ok;
  }
  io.stdout.write(renderMembers(answer.members));
  return ExitCode.Ok;
}

/** Aligned columns: Node, Address, Status, Roles, Leader ("*"), sorted by node. */
export function renderMembers(rows: readonly MemberRow[]): string {
  const table = [
    ['Node', 'Address', 'Status', 'Roles', 'Leader'],
    ...[...rows].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })).map((m) => [m.id, m.address, m.state, m.roles.join(',') || '-', m.leader ? '*' : '']),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length))) ?? [];
  return table.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}
