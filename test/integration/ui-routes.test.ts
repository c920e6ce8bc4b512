import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpListener } from '../../src/runtime/http-listener.js';
import { UI_SCRIPT_PATH, UI_STYLE_PATH, contentSecurityPolicy, uiRoutes } from '../../src/ui/web-routes.js';
import { memoryLogger } from '../support/memory-log.js';

const listener = new HttpListener('web', { host: '127.0.0.1', port: 0 }, uiRoutes(), memoryLogger().log);
let base = '';
let host = '';
beforeAll(async () => {
  await listener.start();
  host = `127.0.0.1:${listener.boundAddress?.port}`;
  base = `http://${host}`;
});
afterAll(() => listener.stop(new AbortController().signal));

describe('the web UI is served from memory', () => {
  it('serves the page, its script and its style with their content types', async () => {
    for (const [path, type] of [
      ['/', 'text/html; charset=utf-8'],
      [UI_SCRIPT_PATH, 'text/javascript; charset=utf-8'],
      [UI_STYLE_PATH, 'text/css; charset=utf-8'],
    ] as const) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await res.text()).length, path).toBeGreaterThan(100);
    }
  });

  it('the page loads its script and style from the paths served, and nothing inline', async () => {
    const html = await (await fetch(`${base}/`)).text();
    expect(html).toContain(`<script src="${UI_SCRIPT_PATH}" defer></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="${UI_STYLE_PATH}">`);
    expect(html).not.toMatch(/<script>|<style|\son[a-z]+=|style="/i);
  });

  it('answers 304 to a client that holds the current ETag, and 200 to one that holds another', async () => {
    const first = await fetch(`${base}${UI_SCRIPT_PATH}`);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${base}${UI_SCRIPT_PATH}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${base}${UI_SCRIPT_PATH}`, { headers: { 'if-none-match': `W/${etag}, "other"` } })).status).toBe(304);
    expect((await fetch(`${base}${UI_SCRIPT_PATH}`, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    expect((await fetch(`${base}/`)).headers.get('etag')).not.toBe(etag);
  });

  it('sends a strict Content-Security-Policy: own files only, no inline script, feeds from this agent only', async () => {
    const policy = (await fetch(`${base}/`)).headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain(`connect-src 'self' ws://${host} wss://${host}`);
  });

  it('keeps a Host header that is not a plain host:port out of the policy', () => {
    expect(contentSecurityPolicy('[::1]:8080')).toContain("connect-src 'self' ws://[::1]:8080 wss://[::1]:8080");
    expect(contentSecurityPolicy("evil; script-src 'unsafe-inline'")).toMatch(/connect-src 'self'$/);
    expect(contentSecurityPolicy(undefined)).toMatch(/connect-src 'self'$/);
  });
});
