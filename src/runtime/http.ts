/**
 * A small HTTP toolkit shared by every listener: a route table keyed by
 * method and path, one access guard (http-guard.ts), JSON answers, and one
 * error shape everywhere: `{"error": {"code": "DINC_...", "message": "..."}}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpErrorCode, StatusOf } from '../error-codes.js';
import type { Logger } from '../ops/log.js';
import { HttpError } from './http-error.js';
import { checkAccess, type ApiAuth } from './http-guard.js';

export { HttpError } from './http-error.js';
export { requireToken } from './http-guard.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

type ByMethod = Readonly<Partial<Record<string, Handler>>>;

/** Routes keyed by path, then by method. A key ending in `/*` takes every path under it (the longest such key wins). */
export type Routes = ReadonlyMap<string, ByMethod>;

export interface RouterOptions {
  /** The token settings every request is checked against before its handler runs; none: everything is open. */
  readonly auth?: ApiAuth;
  /** Called once for each request whose client went away before it was answered (logged at debug, not error). */
  readonly onAborted?: () => void;
}

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

export function sendError<C extends HttpErrorCode>(res: ServerResponse, status: StatusOf<C>, code: C, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

/**
 * Dispatches a request to its route once the access guard let it through;
 * answers 401, 404, 405 and 500 in the common error shape. A client that
 * leaves mid-request is counted, not reported as a failure.
 */
export function router(routes: Routes, log: Logger, opts: RouterOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const byMethod = routes.get(path) ?? underPrefix(routes, path);
    if (byMethod === undefined) {
      sendError(res, 404, 'DINC_NOT_FOUND', `no such endpoint: ${path.slice(0, 200)}`);
      return;
    }
    const method = req.method === 'HEAD' && byMethod.GET ? 'GET' : (req.method ?? 'GET');
    Promise.resolve()
      .then(() => {
        checkAccess(req, path, opts.auth);
        const handler = byMethod[method];
        if (handler === undefined) {
          const allow = [...Object.keys(byMethod), ...(byMethod.GET ? ['HEAD'] : [])].join(', ');
          throw new HttpError(405, 'DINC_METHOD_NOT_ALLOWED', `${req.method ?? ''} is not allowed on ${path.slice(0, 200)}; use ${allow}`, { allow });
        }
        return handler(req, res);
      })
      .catch((error: unknown) => {
        if (error instanceof HttpError) {
          if (!res.headersSent) sendError(res, error.status, error.code, error.message, error.headers);
          return;
        }
        if (clientLeft(req, error)) {
          opts.onAborted?.();
          log.debug('the client left before its request was answered', { method, path: path.slice(0, 200), error: (error as Error).message });
          res.destroy();
          return;
        }
        log.error('request handler failed', { method, path: path.slice(0, 200), error });
        if (!res.headersSent) sendError(res, 500, 'DINC_INTERNAL', 'internal error; see the agent log');
        else res.destroy();
      });
  };
}

/** Whether `error` comes from the client going away (a reset, or the body cut short) rather than from the handler. */
function clientLeft(req: IncomingMessage, error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (req.destroyed && !req.complete);
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

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 text exactly; rejects invalid bytes with an HttpError (400) instead of replacing them. */
export function utf8Text(bytes: Uint8Array, what = 'the body'): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new HttpError(400, 'DINC_BAD_REQUEST', `${what} is not valid UTF-8 text`);
  }
}

/**
 * Parses a JSON body read with `readBody`. The one policy of every JSON
 * endpoint: the body is parsed as JSON whatever Content-Type it declares
 * (none, application/json, text/plain, or the
 * application/x-www-form-urlencoded that `curl -d` sends); a body that is
 * not UTF-8 JSON is a 400.
 */
export function parseJsonBody(body: Uint8Array): unknown {
  const text = utf8Text(body);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new HttpError(400, 'DINC_BAD_REQUEST', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Reads and parses a JSON body of at most `limit` bytes (see parseJsonBody); rejects with an HttpError (400, 413). */
export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  return parseJsonBody(await readBody(req, limit));
}
