/**
 * A small HTTP toolkit shared by every listener: a route table keyed by
 * method and path, JSON answers, and one error shape everywhere:
 * `{"error": {"code": "DINC_...", "message": "..."}}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../ops/log.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Routes keyed by path, then by method. */
export type Routes = ReadonlyMap<string, Readonly<Partial<Record<string, Handler>>>>;

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
    const byMethod = routes.get(path);
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
        log.error('request handler failed', { method, path, error });
        if (!res.headersSent) sendError(res, 500, 'DINC_INTERNAL', 'internal error; see the agent log');
        else res.destroy();
      });
  };
}
