/** `dinc-agent join ADDR...`: tells a running agent to join the agents at ADDR (a push-pull with each). */
import { ExitCode } from '../errors.js';
import { agentEndpoint, callAgent, type AgentTarget } from './agent-client.js';
import type { CliIO } from './io.js';

export async function join(addresses: readonly string[], opts: AgentTarget, io: CliIO): Promise<ExitCode> {
  const result = (await callAgent(await agentEndpoint(opts, io), '/v1/join', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ addresses }),
  })) as { joined: number; failed: string[] };
  io.stdout.write(`Successfully joined cluster by contacting ${result.joined} agent${result.joined === 1 ? '' : 's'}.\n`);
  if (result.failed.length > 0) io.stderr.write(`Could not reach: ${result.failed.join(', ')}\n`);
  return ExitCode.Ok;
}
