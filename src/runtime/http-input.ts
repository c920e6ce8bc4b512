/**
 * Strict decoding of what a request's target carries: a path segment and
 * query parameters. Bad percent-encoding or bytes that are not UTF-8 are a
 * 400, never a replacement character and never an exception the router
 * would answer with a 500.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'DINC_BAD_REQUEST', `${what} is not valid percent-encoded UTF-8`);
  }
}

/** The request's path after `prefix`, percent-decoded. */
export function pathAfter(req: IncomingMessage, prefix: string): string {
  const path = (req.url ?? '').split('?')[0] ?? '';
  return decode(path.slice(prefix.length), 'the path');
}

/** The request's query parameters (`+` is a space), each name and value percent-decoded. */
export function queryOf(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '';
  const at = url.indexOf('?');
  const params = new URLSearchParams();
  if (at < 0) return params;
  for (const part of url.slice(at + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const [name, value] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    params.append(decode(name.replace(/\+/g, ' '), 'a query parameter name'), decode(value.replace(/\+/g, ' '), 'a query parameter value'));
  }
  return params;
}
