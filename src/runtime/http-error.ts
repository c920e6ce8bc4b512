import type { HttpErrorCode, StatusOf } from '../error-codes.js';

/** The error that HTTP helpers throw and the router answers in the common shape, with its status, stable code (error-codes.ts) and any headers. */
export class HttpError<C extends HttpErrorCode = HttpErrorCode> extends Error {
  constructor(
    readonly status: StatusOf<C>,
    readonly code: C,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}
