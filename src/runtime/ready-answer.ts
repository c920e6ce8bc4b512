/** The one answer of `GET /ready` on every listener. */
import type { ServerResponse } from 'node:http';
import type { HttpErrorCode } from '../error-codes.js';
import { sendJson } from './http.js';

/**
 * 200 `{"ready": true, ...fields}` when `reason` is null; otherwise 503
 * `DINC_NOT_READY` with the reason and `Retry-After: 1` (the condition
 * passes: a member starting, electing or catching up).
 */
export function sendReadiness(res: ServerResponse, reason: string | null, fields: Record<string, unknown> = {}): void {
  if (reason === null) sendJson(res, 200, { ready: true, ...fields });
  else sendJson(res, 503, { ready: false, ...fields, error: { code: 'DINC_NOT_READY' satisfies HttpErrorCode, message: `not ready: ${reason}` } }, { 'retry-after': '1' });
}
