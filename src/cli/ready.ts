/**
 * `dinc-agent ready`: waits until the agent answers `GET /ready` with 200
 * (every role can serve), for systemd's ExecStartPost and scripts. Exits 0
 * once ready; 1 with DINC_NOT_READY and the last reason when `--timeout`
 * passes first. An agent not listening yet counts as not ready.
 */
import { parseDuration } from '../config/units.js';
import { ExitCode, NotReadyError, UsageError } from '../errors.js';
import { agentEndpoint, type AgentTarget } from './agent-client.js';
import type { CliIO } from './io.js';

export interface ReadyOptions extends AgentTarget {
  /** How long to wait, a duration such as `30s`. Default 30s. */
  readonly timeout?: string;
  readonly quiet?: boolean;
}

/** Time between two asks, in ms: readiness usually comes within a second of start, so wait little. */
const ASK_EVERY_MS = 200;
const ASK_TIMEOUT_MS = 2_000;

export async function ready(opts: ReadyOptions, io: CliIO): Promise<ExitCode> {
  const timeoutMs = durationOption(opts.timeout ?? '30s');
  const { base } = await agentEndpoint(opts, io);
  const reason = await waitReady(`${base}/ready`, timeoutMs);
  if (reason !== null) throw new NotReadyError(`${base} is not ready after ${opts.timeout ?? '30s'}: ${reason}`);
  if (!opts.quiet) io.stdout.write(`ready: ${base}\n`);
  return ExitCode.Ok;
}

/** Asks `url` until it answers 200 or `timeoutMs` passes; resolves to null when ready, else the last reason heard. */
export async function waitReady(url: string, timeoutMs: number): Promise<string | null> {
  const until = performance.now() + timeoutMs;
  let reason = 'no answer yet';
  for (;;) {
    reason = await askReady(url);
    if (reason === '') return null;
    if (performance.now() + ASK_EVERY_MS > until) return reason;
    await new Promise((r) => setTimeout(r, ASK_EVERY_MS));
  }
}

/** '' when ready, else why not. */
async function askReady(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ASK_TIMEOUT_MS) });
    if (res.status === 200) return '';
    const body = (await res.json().catch(() => ({}))) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : `answered ${res.status}`;
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    return code === 'ECONNREFUSED' ? 'the agent does not listen yet (connection refused)' : `no answer (${code})`;
  }
}

function durationOption(text: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    throw new UsageError(`--timeout ${JSON.stringify(text)}: ${(e as Error).message}`);
  }
}
