/**
 * A small HTTP toolkit shared by every listener: a route table keyed by
 * method and path, JSON answers, and one error shape everywhere:
 * `{"error": {"code": "DINC_...", "message": "..."}}`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../ops/log.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

type ByMethod = Readonly<Partial<Record<string, Handler>>>;

/** Routes keyed by path, then by method. A key ending in `/*` takes every path under it (the longest such key wins). */
export type Routes = ReadonlyMap<string, ByMethod>;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

/** Dispatches a request to its route; answers 404, 405 and 500 in the common error shape. */
export function router(routes: Routes, log: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const byMethod = routes.get(path) ?? underPrefix(routes, path);
    if (byMethod === undefined) {
      sendError(res, 404, 'DINC_NOT_FOUND', `no such endpoint: ${path}`);
      return;
    }
    const method = req.method === 'HEAD' && byMethod.GET ? 'GET' : (req.method ?? 'GET');
    const handler = byMethod[method];
    if (handler === undefined) {
      const allow = [...Object.keys(byMethod), ...(byMethod.GET ? ['HEAD'] : [])].join(', ');
      sendError(res, 405, 'DINC_METHOD_NOT_ALLOWED', `${req.method ?? ''} is not allowed on ${path}; use ${allow}`, { allow });
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        if (error instanceof HttpError) {
          if (!res.headersSent) sendError(res, error.status, error.code, error.message);
          return;
        }
        log.error('request handler failed', { method, path, error });
        if (!res.headersSent) sendError(res, 500, 'DINC_INTERNAL', 'internal error; see the agent log');
        else res.destroy();
      });
  };
}

function underPrefix(routes: Routes, path: string): ByMethod | undefined {
  let best: string | undefined;
  for (const key of routes.keys()) {
    if (key.endsWith('/*') && path.startsWith(key.slice(0, -1)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : routes.get(best);
}

/** Largest JSON body any endpoint accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Thrown by body and auth helpers; the router answers it in the common error shape. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a body of at most `limit` bytes as it is; rejects with an HttpError (413) when larger. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'DINC_BODY_TOO_LARGE', `the body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'DINC_BODY_TOO_LARGE', `the body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body read with `readBody`, whatever its declared type; rejects with an HttpError (400). */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    throw new HttpError(400, 'DINC_BAD_REQUEST', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Reads and parses a JSON body of at most `limit` bytes; rejects with an HttpError (400, 413, 415). */
export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = req.headers['content-type'] ?? 'application/json';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'DINC_BAD_REQUEST', 'the body must be application/json');
  return parseJsonBody(await readBody(req, limit));
}

/** Requires `Authorization: Bearer <token>` when a token is configured; compares in constant time. */
export function requireToken(req: IncomingMessage, token: string): void {
  if (token === '') return;
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new HttpError(401, 'DINC_UNAUTHORIZED', 'this endpoint needs Authorization: Bearer <[agent] api_token>');
  }
}
