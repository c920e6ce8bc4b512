/** `dinc-agent join ADDR...`: tells a running agent to join the agents at ADDR (a push-pull with each). */
import { ExitCode } from '../errors.js';
import { agentUrl, callAgent, type AgentTarget } from './agent-client.js';
import type { CliIO } from './io.js';

export async function join(addresses: readonly string[], opts: AgentTarget & { readonly token?: string }, io: CliIO): Promise<ExitCode> {
  const base = await agentUrl(opts, io.hostname());
  const token = opts.token ?? io.env.DINC_API_TOKEN;
  const result = (await callAgent(base, '/v1/join', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ addresses }),
  })) as { joined: number; failed: string[] };
  io.stdout.write(`Successfully joined cluster by contacting ${result.joined} agent${result.joined === 1 ? '' : 's'}.\n`);
  if (result.failed.length > 0) io.stderr.write(`Could not reach: ${result.failed.join(', ')}\n`);
  return ExitCode.Ok;
}
