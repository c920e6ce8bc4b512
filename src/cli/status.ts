/** `dinc-agent status`: the cluster as the agent sees it, once, as JSON, or live with `--watch`. */
import { ExitCode, UsageError } from '../errors.js';
import { checkSnapshot } from '../ui/terminal/check-snapshot.js';
import { renderStatus } from '../ui/terminal/render-status.js';
import { watchStatus } from '../ui/terminal/watch.js';
import { agentEndpoint, authHeaders, callAgent, type AgentTarget } from './agent-client.js';
import { useColor, type CliIO } from './io.js';

export interface StatusOptions extends AgentTarget {
  readonly json?: boolean;
  readonly watch?: boolean;
}

/** Width of the view when stdout is no terminal (or one that does not say). */
const DEFAULT_WIDTH = 80;

export async function status(opts: StatusOptions, io: CliIO): Promise<ExitCode> {
  if (opts.watch) return watch(opts, io);
  const to = await agentEndpoint(opts, io);
  const body = await callAgent(to, '/v1/status');
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return ExitCode.Ok;
  }
  const width = io.terminal?.size().columns || DEFAULT_WIDTH;
  io.stdout.write(`${renderStatus(checkSnapshot(body, `${to.base}/v1/status`), { width, color: useColor(io.stdout, io.env) })}\n`);
  return ExitCode.Ok;
}

/** The live view until the user quits. */
async function watch(opts: StatusOptions, io: CliIO): Promise<ExitCode> {
  if (opts.json) throw new UsageError('--watch and --json do not go together: --json prints the status once; a script can follow ws://<addr>/v1/stream');
  if (io.terminal === undefined) throw new UsageError('--watch needs a terminal, and stdout is not one; leave out --watch to print the status once');
  const to = await agentEndpoint(opts, io);
  const target = to.base.replace(/^http:\/\//, '');
  await watchStatus({ url: `ws://${target}/v1/stream`, headers: authHeaders(to), target, terminal: io.terminal, out: io.stdout, signals: io.signals, color: useColor(io.stdout, io.env) });
  return ExitCode.Ok;
}
