/** How commands talk to a running agent: its HTTP API on `[agent] web`. */
import { loadConfig, type AgentConfig } from '../config/load.js';
import { formatHostPort, type HostPort } from '../config/values.js';
import { AgentRequestError, AgentUnreachableError, UsageError } from '../errors.js';

export interface AgentTarget {
  readonly addr?: string;
  readonly config?: string;
}

/** The base URL of the agent: `--addr`, else the `web` of `--config`, else 127.0.0.1:8080. */
export async function agentUrl(target: AgentTarget, hostname: string): Promise<string> {
  return listenerUrl(target, hostname, { name: '[agent] web', fallback: '127.0.0.1:8080', of: (c) => c.agent.web });
}

/** The base URL of the agent's Raft API: `--addr`, else `[raft] listen` of `--config`, else 127.0.0.1:5001. */
export async function raftUrl(target: AgentTarget, hostname: string): Promise<string> {
  return listenerUrl(target, hostname, { name: '[raft] listen', fallback: '127.0.0.1:5001', of: (c) => c.raft.listen });
}

interface ListenerSetting {
  readonly name: string;
  readonly fallback: string;
  of(config: AgentConfig): HostPort | null;
}

async function listenerUrl(target: AgentTarget, hostname: string, listener: ListenerSetting): Promise<string> {
  if (target.addr !== undefined) {
    const addr = target.addr.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (!/^[\w.-]+:\d+$|^\[[0-9a-f:.]+\]:\d+$/i.test(addr)) throw new UsageError(`--addr ${JSON.stringify(target.addr)}: must be host:port, such as ${listener.fallback}`);
    return `http://${addr}`;
  }
  if (target.config === undefined) return `http://${listener.fallback}`;
  const address = listener.of(await loadConfig(target.config, { hostname }));
  if (address === null) throw new UsageError(`${target.config}: ${listener.name} is off, so the agent has no API to ask; pass --addr`);
  const host = address.host === '0.0.0.0' ? '127.0.0.1' : address.host === '::' ? '::1' : address.host;
  return `http://${formatHostPort({ host, port: address.port })}`;
}

/** Sends a request and returns the parsed JSON answer; errors name the agent and what it said. */
export async function callAgent(base: string, path: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    const why = cause === 'ECONNREFUSED' ? 'connection refused; is the agent running?' : cause === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : cause;
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
