/** How commands talk to a running agent: its HTTP API on `[agent] web`. */
import { loadConfig } from '../config/load.js';
import { formatHostPort } from '../config/values.js';
import { AgentRequestError, AgentUnreachableError, UsageError } from '../errors.js';

export interface AgentTarget {
  readonly addr?: string;
  readonly config?: string;
}

/** The base URL of the agent: `--addr`, else the `web` of `--config`, else 127.0.0.1:8080. */
export async function agentUrl(target: AgentTarget, hostname: string): Promise<string> {
  if (target.addr !== undefined) {
    const addr = target.addr.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (!/^[\w.-]+:\d+$|^\[[0-9a-f:.]+\]:\d+$/i.test(addr)) throw new UsageError(`--addr ${JSON.stringify(target.addr)}: must be host:port, such as 127.0.0.1:8080`);
    return `http://${addr}`;
  }
  if (target.config === undefined) return 'http://127.0.0.1:8080';
  const web = (await loadConfig(target.config, { hostname })).agent.web;
  if (web === null) throw new UsageError(`${target.config}: [agent] web is off, so the agent has no API to ask; pass --addr`);
  const host = web.host === '0.0.0.0' ? '127.0.0.1' : web.host === '::' ? '::1' : web.host;
  return `http://${formatHostPort({ host, port: web.port })}`;
}

/** Sends a request and returns the parsed JSON answer; errors name the agent and what it said. */
export async function callAgent(base: string, path: string, init: RequestInit = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    const why = cause === 'ECONNREFUSED' ? 'connection refused; is the agent running?' : cause === 'TimeoutError' ? 'no answer within 10 s' : cause;
    throw new AgentUnreachableError(`cannot reach the agent at ${base}: ${why}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AgentRequestError(`${base}${path} answered ${res.status} with something that is not JSON`);
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } }).error;
    throw new AgentRequestError(`${base}${path} answered ${res.status}: ${err?.message ?? text} (${err?.code ?? 'no code'})`);
  }
  return body;
}
