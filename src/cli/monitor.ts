/**
 * `dinc-agent monitor`: follows the running agent's log as it happens, at a
 * level of its own (like `consul monitor`). Runs until Ctrl-C (exit 0) or
 * until the agent ends the stream (DINC_STREAM_ENDED, exit 1).
 */
import { get, type IncomingMessage } from 'node:http';
import { AgentStreamEndedError, AgentUnreachableError, ExitCode } from '../errors.js';
import { formatText, isLogLevel, type LogLevel } from '../ops/log.js';
import { answerError } from './agent-answer.js';
import { agentEndpoint, type AgentTarget } from './agent-client.js';
import { useColor, type CliIO } from './io.js';

export interface MonitorOptions extends AgentTarget {
  readonly level: LogLevel;
  /** Print the agent's JSON records as they come instead of text lines. */
  readonly json?: boolean;
}

/** How long the agent has to answer before the command gives up; the stream itself has no deadline. */
const CONNECT_TIMEOUT_MS = 10_000;

export async function monitor(opts: MonitorOptions, io: CliIO): Promise<ExitCode> {
  const { base, token } = await agentEndpoint(opts, io);
  const interrupted = new AbortController();
  const unsubscribe = (['SIGINT', 'SIGTERM'] as const).map((s) => io.signals.on(s, () => interrupted.abort()));
  try {
    let stream: IncomingMessage;
    try {
      stream = await openStream(new URL(`${base}/v1/monitor?level=${opts.level}`), token, interrupted.signal);
    } catch (e) {
      if (interrupted.signal.aborted) return ExitCode.Ok;
      throw e;
    }
    io.stderr.write(`Following the log of the agent at ${base} from level ${opts.level}; Ctrl-C to stop.\n`);
    const color = useColor(io.stdout, io.env);
    try {
      for await (const line of lines(stream)) io.stdout.write(`${opts.json ? line : textLine(line, color)}\n`);
    } catch {
      // Ctrl-C aborted the read, or the connection was lost: either way the stream is over.
    }
  } finally {
    for (const off of unsubscribe) off();
  }
  if (interrupted.signal.aborted) return ExitCode.Ok;
  throw new AgentStreamEndedError(`the agent at ${base} closed the log stream: it is stopping, or it dropped this monitor for reading too slowly`);
}

/** The response to a successful request, as text; an unreachable agent or an error answer throws. */
async function openStream(url: URL, token: string | undefined, interrupted: AbortSignal): Promise<IncomingMessage> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    // No connection pool: the one connection lives as long as the stream and dies with it.
    const req = get(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, agent: false, signal: interrupted }, resolve);
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })), CONNECT_TIMEOUT_MS);
    req.on('response', () => clearTimeout(timer));
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  }).catch((e: NodeJS.ErrnoException) => {
    if (interrupted.aborted) throw e;
    const why = e.code === 'ECONNREFUSED' ? 'connection refused; is the agent running?' : e.code === 'ETIMEDOUT' ? `no answer within ${CONNECT_TIMEOUT_MS / 1000} s` : (e.code ?? e.message);
    throw new AgentUnreachableError(`cannot reach the agent at ${url.origin}: ${why}`);
  });
  res.setEncoding('utf8');
  if (res.statusCode !== 200) {
    let text = '';
    for await (const chunk of res as AsyncIterable<string>) text += chunk;
    throw answerError(res.statusCode ?? 0, text, url.href);
  }
  return res;
}

/** The stream's lines, without their newlines; blank lines skipped. */
async function* lines(text: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of text) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    yield* parts.filter((line) => line !== '');
  }
}

/** A record as the agent's own text log shows it; a line that is not a record is shown as it came. */
function textLine(line: string, color: boolean): string {
  let record: { time?: unknown; level?: unknown; msg?: unknown; [field: string]: unknown };
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    return line;
  }
  const { time, level, msg, ...fields } = record;
  if (typeof time !== 'string' || !isLogLevel(level) || typeof msg !== 'string') return line;
  return formatText(new Date(time), level, msg, fields, color);
}
