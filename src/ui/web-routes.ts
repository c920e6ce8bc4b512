/**
 * The live web UI on `[agent] web`: the page at `/`, its script and style
 * under `/ui/`. Served from memory (built into the agent by
 * scripts/build-ui.mjs), revalidated by ETag, under a Content-Security-Policy
 * that lets the page load only its own files and talk only to this agent.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UI_CSS, UI_HTML, UI_JS } from './web/assets.generated.js';
import type { Handler, Routes } from '../runtime/http.js';

/** Where the page loads its script and style from; index.html names the same paths. */
export const UI_SCRIPT_PATH = '/ui/app.js';
export const UI_STYLE_PATH = '/ui/app.css';

const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

/** A host header fit to put in the policy: a name or address, and a port. */
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The policy for a page fetched as `host`: its feeds may connect to this agent only, by HTTP or WebSocket. */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host !== undefined && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [...POLICY, `connect-src 'self'${sockets}`].join('; ');
}

function asset(body: string, contentType: string): Handler {
  const bytes = Buffer.from(body, 'utf8');
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
  return (req: IncomingMessage, res: ServerResponse) => {
    const headers = {
      etag,
      // Always revalidate: an upgraded agent serves its new page at once, an unchanged one answers 304.
      'cache-control': 'no-cache',
      'content-security-policy': contentSecurityPolicy(req.headers.host),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (matches(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': contentType, 'content-length': bytes.length });
    res.end(bytes);
  };
}

/** True when an If-None-Match header names `etag` (or is `*`). */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === etag || t === '*';
  });
}

export function uiRoutes(): Routes {
  return new Map([
    ['/', { GET: asset(UI_HTML, 'text/html; charset=utf-8') }],
    [UI_SCRIPT_PATH, { GET: asset(UI_JS, 'text/javascript; charset=utf-8') }],
    [UI_STYLE_PATH, { GET: asset(UI_CSS, 'text/css; charset=utf-8') }],
  ]);
}
