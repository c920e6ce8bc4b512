/**
 * How the Raft role's HTTP API answers: the agent's one error shape
 * `{"error": {"code", "message"}}`, with `"success": false` added on seed
 * 002's `/api/...` paths (whose every answer carries `success`). Each outcome
 * that is not a result maps to one status and code. A 503 is only for a
 * condition that passes (no leader yet, a leader change, a transfer in
 * progress) and says when to retry with Retry-After; a request that cannot
 * succeed as it is gets a 4xx.
 */
import type { ServerResponse } from 'node:http';
import type { HttpErrorCode, StatusOf } from '../../error-codes.js';
import { sendJson } from '../../runtime/http.js';
import type { Outcome } from '../../runtime/raft/outcome.js';

export type Style = 'native' | 'cache';

export function sendFailure<C extends HttpErrorCode>(res: ServerResponse, style: Style, status: StatusOf<C>, code: C, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  const error = { code, message, ...extra };
  sendJson(res, status, style === 'cache' ? { success: false, error } : { error }, headers);
}

export function sendNoLeader(res: ServerResponse, style: Style, why: string): void {
  sendFailure(res, style, 503, 'DINC_NO_LEADER', `no Raft leader: ${why}; retry shortly`, {}, { 'retry-after': '1' });
}

/** Answers an outcome that carries no result (every kind but `done`, and `not-leader` when it was not forwarded). */
export function sendOutcomeFailure(res: ServerResponse, style: Style, outcome: Exclude<Outcome, { kind: 'done' }>): void {
  switch (outcome.kind) {
    case 'not-leader':
      sendNoLeader(res, style, outcome.leader === null ? 'none is known to this member' : `the leader ${outcome.leader} cannot be reached from here`);
      return;
    case 'refused':
    case 'lost':
      sendFailure(res, style, 503, 'DINC_NOT_APPLIED', `not applied: ${outcome.reason}; retry`, {}, { 'retry-after': '1' });
      return;
    case 'rejected':
      sendFailure(res, style, outcome.status, outcome.code, outcome.reason);
      return;
    case 'unknown':
      sendFailure(res, style, 504, 'DINC_TIMEOUT', outcome.reason);
      return;
    case 'storage-retrying':
      sendFailure(res, style, 503, 'DINC_STORAGE_RETRYING', outcome.reason, {}, { 'retry-after': String(outcome.retryAfterS) });
      return;
    case 'storage-failed':
      sendFailure(res, style, 507, 'DINC_STORAGE_FAILED', outcome.reason);
      return;
  }
}
