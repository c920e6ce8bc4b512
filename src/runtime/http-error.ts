/** The error that HTTP helpers throw and the router answers in the common shape, with its status, stable code and any headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}
