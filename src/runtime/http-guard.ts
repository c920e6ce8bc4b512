/**
 * Who may call the HTTP APIs. With `[agent] api_token` set, every request
 * that can change state (any method but GET, HEAD and OPTIONS) needs
 * `Authorization: Bearer <token>`, on every listener; with `[agent]
 * api_token_reads = true`, reads need it too, except the probes in
 * OPEN_PATHS. Without a token, everything is open to clients that are not
 * browsers: a browser page of another origin may never change state or open
 * a WebSocket (a page on any site could otherwise write to 127.0.0.1).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** Where a listener reads the current token settings (SIGHUP may change them). */
export interface ApiAuth {
  /** `[agent] api_token`; '' when none is set. */
  token(): string;
  /** `[agent] api_token_reads`: reads need the token too. */
  reads(): boolean;
}

/** Methods that change nothing; open unless `api_token_reads` is set. */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Paths open even with `api_token_reads`: the liveness and readiness probes
 * that load balancers and systemd ask without credentials. They say whether
 * the agent serves, and its id, version and Raft state; nothing stored.
 */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/health', '/ready']);

/** The environment variable the CLI reads the token from when `--token` is not given. */
// A template literal: docs/errors.md lists the quoted DINC_ strings, which are error codes, and this is not one.
export const TOKEN_ENV = `DINC_API_TOKEN`;

const HOW_TO_PASS = `send the header "Authorization: Bearer <[agent] api_token>" (the CLI: --token <token>, or the ${TOKEN_ENV} environment variable)`;

/**
 * Throws a 403 when a browser sends `req` on behalf of a page of another
 * origin and it changes state or upgrades to a WebSocket; then the 401 when
 * `req` to `path` needs the token under `auth` and does not carry it.
 */
export function checkAccess(req: IncomingMessage, path: string, auth: ApiAuth | undefined): void {
  const isRead = READ_METHODS.has(req.method ?? 'GET');
  if ((!isRead || req.headers.upgrade !== undefined) && fromOtherOrigin(req)) {
    throw new HttpError(403, 'DINC_CROSS_ORIGIN', `a page of another origin (${String(req.headers.origin).slice(0, 100)}) may not change state or open a WebSocket here`);
  }
  if (!isRead && req.headers.origin !== undefined && !isAddressHost(req.headers.host ?? '')) {
    // A name can be made to point at 127.0.0.1 by its owner (DNS rebinding): the page would then be "same-origin".
    throw new HttpError(403, 'DINC_CROSS_ORIGIN', 'a browser page may change state only when it reached the agent by an IP address or localhost, not by a host name');
  }
  if (auth === undefined) return;
  const token = auth.token();
  if (token === '') return;
  if (isRead && (!auth.reads() || OPEN_PATHS.has(path))) return;
  requireToken(req, token, isRead ? 'reads need a token here ([agent] api_token_reads = true)' : 'this request changes state and needs a token');
}

/** Requires `Authorization: Bearer <token>` when a token is set; compares in constant time. Throws a 401 that says how to pass it. */
export function requireToken(req: IncomingMessage, token: string, why = 'this endpoint needs a token'): void {
  if (token === '') return;
  const header = req.headers.authorization ?? '';
  const given = /^Bearer +(\S+) *$/i.exec(header)?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    const what = header === '' ? 'no token was given' : 'the token given is not this agent\'s';
    throw new HttpError(401, 'DINC_UNAUTHORIZED', `${why}, and ${what}: ${HOW_TO_PASS}`);
  }
}

/** Whether `host` (a Host header) names an IP address or localhost, which no DNS answer can repoint. */
function isAddressHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return name === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || /^\[[0-9a-f:.]+\]$/.test(name);
}

/** Whether a browser marks `req` as sent for a page whose origin is not this listener's (`Origin` host differs from `Host`). */
function fromOtherOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host !== (req.headers.host ?? '').toLowerCase();
  } catch {
    return true;
  }
}
