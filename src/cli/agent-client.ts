/**
 * How commands talk to a running agent: its HTTP API on `[agent] web`, or a
 * Raft member's API on `[raft] listen`. `--addr` names the listener; else
 * `--config` does. The token is `--token`, else DINC_API_TOKEN, else
 * `[agent] api_token` of `--config`.
 */
import { loadConfig, type AgentConfig } from '../config/load.js';
import { formatHostPort, type HostPort } from '../config/values.js';
import { AgentRequestError, AgentUnreachableError, UsageError } from '../errors.js';
import { answerError } from './agent-answer.js';
import type { CliIO } from './io.js';

export interface AgentTarget {
  readonly addr?: string;
  readonly config?: string;
  readonly token?: string;
}

/** Where a command sends its requests, and the token it sends with them (if any). */
export interface Endpoint {
  /** `http://host:port`, without a trailing slash. */
  readonly base: string;
  readonly token: string | undefined;
}

type ClientIO = Pick<CliIO, 'env' | 'hostname'>;

/** The agent's HTTP API: `--addr`, else the `web` of `--config`, else 127.0.0.1:8080. */
export function agentEndpoint(target: AgentTarget, io: ClientIO): Promise<Endpoint> {
  return endpoint(target, io, { name: '[agent] web', fallback: '127.0.0.1:8080', of: (c) => c.agent.web });
}

/** A member's Raft API: `--addr`, else `[raft] listen` of `--config`, else 127.0.0.1:5001. */
export function raftEndpoint(target: AgentTarget, io: ClientIO): Promise<Endpoint> {
  return endpoint(target, io, { name: '[raft] listen', fallback: '127.0.0.1:5001', of: (c) => c.raft.listen });
}

interface ListenerSetting {
  readonly name: string;
  readonly fallback: string;
  of(config: AgentConfig): HostPort | null;
}

async function endpoint(target: AgentTarget, io: ClientIO, listener: ListenerSetting): Promise<Endpoint> {
  const config = target.config === undefined ? undefined : await loadConfig(target.config, { hostname: io.hostname() });
  const token = target.token || io.env.DINC_API_TOKEN || config?.agent.api_token || undefined;
  if (target.addr !== undefined) return { base: addrUrl(target.addr, listener), token };
  if (config === undefined) return { base: `http://${listener.fallback}`, token };
  const address = listener.of(config);
  if (address === null) throw new UsageError(`${target.config}: ${listener.name} is off, so the agent has no API to ask; pass --addr`);
  const host = address.host === '0.0.0.0' ? '127.0.0.1' : address.host === '::' ? '::1' : address.host;
  return { base: `http://${formatHostPort({ host, port: address.port })}`, token };
}

function addrUrl(given: string, listener: ListenerSetting): string {
  const addr = given.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!/^[\w.-]+:\d+$|^\[[0-9a-f:.]+\]:\d+$/i.test(addr)) throw new UsageError(`--addr ${JSON.stringify(given)}: must be host:port, such as ${listener.fallback}`);
  return `http://${addr}`;
}

/** The request headers that carry the endpoint's token, if it has one. */
export function authHeaders(to: Endpoint): Record<string, string> {
  return to.token ? { authorization: `Bearer ${to.token}` } : {};
}

/** Sends a request (with the endpoint's token) and returns the parsed JSON answer; an error answer throws the agent's message and code. */
export async function callAgent(to: Endpoint, path: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${to.base}${path}`, { ...init, headers: { ...authHeaders(to), ...(init.headers as Record<string, string> | undefined) }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    const why = cause === 'ECONNREFUSED' ? 'connection refused; is the agent running?' : cause === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : cause;
    throw new AgentUnreachableError(`cannot reach the agent at ${to.base}: ${why}`);
  }
  const text = await res.text();
  if (!res.ok) throw answerError(res.status, text, `${to.base}${path}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new AgentRequestError(`${to.base}${path} answered ${res.status} with something that is not JSON`);
  }
}
