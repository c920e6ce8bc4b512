/**
 * The HTTP server behind every listener, with the same limits everywhere:
 * request headers must arrive within `headersMs`, a whole request within
 * `requestMs`, and an idle keep-alive connection is closed after
 * `keepAliveMs`; a request that is malformed, too slow or has headers over
 * Node's 16 KiB is answered (400, 408, 431) in the common error shape and
 * its connection closed, and counted.
 */
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpErrorCode } from '../error-codes.js';
import type { Logger } from '../ops/log.js';
import type { ApiAuth } from './http-guard.js';
import { router, type Routes } from './http.js';
import type { ClientErrorReason, ListenerCounts } from './listener-stats.js';

export interface HttpTimeouts {
  /** Time from a connection's first byte (or its last answer) to a request's complete headers, in ms. Default 10000. */
  readonly headersMs: number;
  /** Time a whole request, body included, may take to arrive, in ms. Default 30000. */
  readonly requestMs: number;
  /** Time an idle keep-alive connection stays open, in ms. Default 5000. */
  readonly keepAliveMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

export interface ApiServerOptions {
  readonly routes: Routes;
  readonly log: Logger;
  readonly counts: ListenerCounts;
  readonly auth?: ApiAuth;
  readonly timeouts?: HttpTimeouts;
}

export function createApiServer(o: ApiServerOptions): Server {
  const t = o.timeouts ?? HTTP_TIMEOUTS;
  const server = createServer(
    {
      headersTimeout: t.headersMs,
      requestTimeout: t.requestMs,
      keepAliveTimeout: t.keepAliveMs,
      // How often Node checks the two timeouts above: a fraction of the shorter, so that they hold to within it.
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(Math.min(t.headersMs, t.requestMs) / 4))),
    },
    router(o.routes, o.log, { auth: o.auth, onAborted: () => o.counts.aborted++ }),
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, o.counts));
  return server;
}

const STATUS: Record<Exclude<ClientErrorReason, 'reset'>, [number, string, string]> = {
  'request-timeout': [408, 'Request Timeout', 'the request did not arrive in time'],
  'headers-too-large': [431, 'Request Header Fields Too Large', 'the request headers are too large'],
  'bad-request': [400, 'Bad Request', 'the request is not valid HTTP/1.1'],
};

function reasonOf(error: NodeJS.ErrnoException): ClientErrorReason {
  const code = error.code ?? '';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'HPE_HEADER_TIMEOUT') return 'request-timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return 'headers-too-large';
  return 'bad-request';
}

/** Counts the error, answers it in the common error shape when nothing was written yet, and closes the connection. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, counts: ListenerCounts): void {
  const reason = reasonOf(error);
  counts.clientErrors[reason]++;
  socket.on('error', () => undefined);
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (reason === 'reset' || !socket.writable || answering?.headersSent === true) {
    socket.destroy();
    return;
  }
  const [status, phrase, message] = STATUS[reason];
  const body = `${JSON.stringify({ error: { code: (status === 408 ? 'DINC_REQUEST_TIMEOUT' : 'DINC_BAD_REQUEST') satisfies HttpErrorCode, message } })}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${phrase}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
