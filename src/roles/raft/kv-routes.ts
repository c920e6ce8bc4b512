/**
 * The replicated key/value store over HTTP, two ways:
 *
 *   native   GET|PUT|DELETE /v1/kv/<key>   ?cas=<revision> (0: create only), ?consistency=linearizable|stale
 *            the value is the body, as text; GET answers {"key","value","revision"}
 *   seed 002 POST /api/cache/set {"key","value"}   (any JSON value)
 *            GET /api/cache/get?key=   DELETE /api/cache/delete?key=   every answer carries "success"
 *
 * Writes go through the leader (a follower forwards them); reads are
 * linearizable unless `consistency=stale`. A write may carry a client session
 * (`x-dinc-client`, `x-dinc-seq`) that makes a resend exactly-once. Limits: keys 1-1024 characters,
 * values 512 KiB; keys under `_dinc/` are the agent's own and read-only.
 */
import type { IncomingMessage } from 'node:http';
import type { JsonValue } from '../../core/state/json.js';
import { encodeKvCommand, isClientId } from '../../core/state/kv-codec.js';
import { MAX_CLIENT_ID_LENGTH, MAX_KEY_LENGTH, type ClientSession, type KvOperation, type KvResult } from '../../core/state/kv-types.js';
import { HttpError, parseJsonBody, readBody, sendJson, utf8Text, type Handler, type Routes } from '../../runtime/http.js';
import { pathAfter, queryOf } from '../../runtime/http-input.js';
import { RESERVED_PREFIX } from './address-book.js';
import { sendFailure } from './answers.js';
import { serve, type Exchange, type Gate } from './gate.js';
import type { RaftHost } from '../../runtime/raft/host.js';
import type { Outcome } from '../../runtime/raft/outcome.js';
import { REQUEST_TIMEOUT_MS } from './settings.js';

const CLIENT_HEADER = 'x-dinc-client';
const SEQ_HEADER = 'x-dinc-seq';

/** Largest value accepted, in bytes (Consul's limit). */
export const MAX_VALUE_BYTES = 512 * 1024;
/** Largest `/api/cache/set` body: the value and its key with room for the JSON around them. */
const MAX_CACHE_BODY_BYTES = MAX_VALUE_BYTES + 8 * 1024;

type Consistency = 'linearizable' | 'stale';
type WriteOp = Exclude<KvOperation, { type: 'get' }>;
type Applied = Extract<KvResult, { ok: true }>;

export function kvRoutes(gate: Gate): Routes {
  return new Map<string, Partial<Record<string, Handler>>>([
    [
      '/v1/kv/*',
      {
        GET: (req, res) => {
          const { key, params } = nativeTarget(req, ['consistency']);
          return read(gate, { req, res, style: 'native', body: EMPTY }, key, consistency(params), (r) => sendJson(res, 200, { key, value: r.value ?? null, revision: r.revision }));
        },
        PUT: async (req, res) => {
          const { key, params } = nativeTarget(req, ['cas']);
          const body = await readBody(req, MAX_VALUE_BYTES);
          const value = utf8(body);
          return write(gate, { req, res, style: 'native', body }, { type: 'put', key: writable(key), value, ...cas(params) }, (r) => sendJson(res, 200, { ok: true, revision: r.revision }));
        },
        DELETE: (req, res) => {
          const { key, params } = nativeTarget(req, ['cas']);
          return write(gate, { req, res, style: 'native', body: EMPTY }, { type: 'delete', key: writable(key), ...cas(params) }, (r) => sendJson(res, 200, { ok: true, revision: r.revision }));
        },
      },
    ],
    [
      '/api/cache/set',
      {
        POST: cacheHandler(async (req, res) => {
          const body = await readBody(req, MAX_CACHE_BODY_BYTES);
          const { key, value } = cacheSetBody(parseJsonBody(body));
          return write(gate, { req, res, style: 'cache', body }, { type: 'put', key: writable(key), value }, (r) => sendJson(res, 200, { success: true, key, revision: r.revision }));
        }),
      },
    ],
    [
      '/api/cache/get',
      {
        GET: cacheHandler((req, res) => {
          const params = query(req, ['key', 'consistency']);
          const key = cacheKey(params);
          return read(gate, { req, res, style: 'cache', body: EMPTY }, key, consistency(params), (r) => sendJson(res, 200, { success: true, key, value: r.value ?? null, revision: r.revision }));
        }),
      },
    ],
    [
      '/api/cache/delete',
      {
        DELETE: cacheHandler((req, res) => {
          const key = cacheKey(query(req, ['key']));
          return write(gate, { req, res, style: 'cache', body: EMPTY }, { type: 'delete', key: writable(key) }, (r) => sendJson(res, 200, { success: true, key, revision: r.revision }));
        }),
      },
    ],
  ]);
}

const EMPTY = new Uint8Array(0);

/** Seed 002's paths answer bad requests with `success: false` too. */
function cacheHandler(handler: Handler): Handler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (e) {
      if (!(e instanceof HttpError) || res.headersSent) throw e;
      sendFailure(res, 'cache', e.status, e.code, e.message);
    }
  };
}

/**
 * A write: on a follower it goes to the leader inside Raft under the member's
 * own session, unless the client brought a session of its own or Raft does
 * not reach the leader: then the request is forwarded over HTTP.
 */
function write(gate: Gate, x: Exchange, op: WriteOp, ok: (r: Applied) => void): Promise<void> {
  const own = clientSession(x.req);
  const encode = (session = own): Uint8Array => {
    try {
      return encodeKvCommand(session === undefined ? op : { ...op, session });
    } catch (e) {
      throw new HttpError(400, 'DINC_BAD_REQUEST', (e as Error).message);
    }
  };
  const run = (host: RaftHost): Promise<Outcome> =>
    own === undefined ? host.writeAnywhere(encode, REQUEST_TIMEOUT_MS, (leader) => gate.canForward(leader)) : host.write(encode(), REQUEST_TIMEOUT_MS);
  return serve(gate, x, run, (r) => answer(x, op.key, r, ok));
}

function read(gate: Gate, x: Exchange, key: string, how: Consistency, ok: (r: Applied) => void): Promise<void> {
  return serve(gate, x, (host) => host.read(key, how, REQUEST_TIMEOUT_MS), (r) => answer(x, key, r, ok));
}

/** The machine's result: its value, or a not-found (404) or failed compare-and-set (409). */
function answer(x: Exchange, key: string, r: KvResult, ok: (r: Applied) => void): void {
  if (r.ok) ok(r);
  else if (r.error === 'not-found') sendFailure(x.res, x.style, 404, 'DINC_KEY_NOT_FOUND', `no such key: ${JSON.stringify(key)}`);
  else if (r.error === 'cas-failed') sendFailure(x.res, x.style, 409, 'DINC_CAS_FAILED', `the key's revision is ${r.revision}, not the one given`, { revision: r.revision });
  else if (r.error === 'stale-sequence') sendFailure(x.res, x.style, 409, 'DINC_STALE_SEQUENCE', `not applied: ${r.reason ?? 'this client already had a later command applied'}`);
  else sendFailure(x.res, x.style, 400, 'DINC_BAD_REQUEST', r.reason ?? r.error);
}

/**
 * `x-dinc-client` and `x-dinc-seq`: a client that numbers its writes 1, 2, 3,
 * ... and resends one with the same number after an unknown outcome gets the
 * first outcome back, never a second write (the machine's sessions).
 */
function clientSession(req: IncomingMessage): ClientSession | undefined {
  const client = req.headers[CLIENT_HEADER];
  const seq = req.headers[SEQ_HEADER];
  if (client === undefined && seq === undefined) return undefined;
  if (typeof client !== 'string' || !isClientId(client)) throw new HttpError(400, 'DINC_BAD_REQUEST', `${CLIENT_HEADER} is 1-${MAX_CLIENT_ID_LENGTH} characters, and goes with ${SEQ_HEADER}`);
  if (typeof seq !== 'string' || !/^[1-9]\d{0,15}$/.test(seq) || !Number.isSafeInteger(Number(seq))) {
    throw new HttpError(400, 'DINC_BAD_REQUEST', `${SEQ_HEADER} is the write's number, 1, 2, 3, ..., and goes with ${CLIENT_HEADER}`);
  }
  return { client, seq: Number(seq) };
}

function nativeTarget(req: IncomingMessage, allowed: readonly string[]): { key: string; params: URLSearchParams } {
  return { key: checkKey(pathAfter(req, '/v1/kv/')), params: query(req, allowed) };
}

function query(req: IncomingMessage, allowed: readonly string[]): URLSearchParams {
  return checkParams(queryOf(req), allowed);
}

function checkParams(params: URLSearchParams, allowed: readonly string[]): URLSearchParams {
  for (const name of params.keys()) {
    if (!allowed.includes(name)) throw new HttpError(400, 'DINC_BAD_REQUEST', `unknown parameter ${JSON.stringify(name)}; this endpoint takes ${allowed.join(', ')}`);
  }
  return params;
}

/** A code unit of a surrogate pair without its other half: it has no UTF-8 form, so such a key could never be read back or deleted. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** The one key rule of both APIs, reads and writes: 1-1024 characters of Unicode text (well-formed, so it has a UTF-8 form). */
function checkKey(key: string): string {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new HttpError(400, 'DINC_BAD_REQUEST', `a key is 1-${MAX_KEY_LENGTH} characters`);
  if (LONE_SURROGATE.test(key)) throw new HttpError(400, 'DINC_BAD_REQUEST', 'a key is Unicode text: it holds a lone surrogate (half of a UTF-16 pair)');
  return key;
}

function writable(key: string): string {
  if (key.startsWith(RESERVED_PREFIX)) throw new HttpError(400, 'DINC_BAD_REQUEST', `keys under ${RESERVED_PREFIX} are the agent's own and cannot be written`);
  return key;
}

function cacheKey(params: URLSearchParams): string {
  const key = params.get('key');
  if (key === null) throw new HttpError(400, 'DINC_BAD_REQUEST', 'missing ?key=');
  return checkKey(key);
}

function consistency(params: URLSearchParams): Consistency {
  const value = params.get('consistency') ?? 'linearizable';
  if (value !== 'linearizable' && value !== 'stale') throw new HttpError(400, 'DINC_BAD_REQUEST', 'consistency is linearizable or stale');
  return value;
}

function cas(params: URLSearchParams): { cas?: number } {
  const raw = params.get('cas');
  if (raw === null) return {};
  if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new HttpError(400, 'DINC_BAD_REQUEST', 'cas is a revision: a whole number, 0 to create only');
  return { cas: Number(raw) };
}

function utf8(body: Uint8Array): string {
  return utf8Text(body, 'the value');
}

function cacheSetBody(body: unknown): { key: string; value: JsonValue } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'DINC_BAD_REQUEST', 'the body is a JSON object {"key", "value"}');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((k) => k !== 'key' && k !== 'value');
  if (unknown !== undefined) throw new HttpError(400, 'DINC_BAD_REQUEST', `unknown field ${JSON.stringify(unknown)}; the body is {"key", "value"}`);
  if (typeof fields.key !== 'string') throw new HttpError(400, 'DINC_BAD_REQUEST', 'key is a string');
  if (!('value' in fields)) throw new HttpError(400, 'DINC_BAD_REQUEST', 'value is missing (any JSON value)');
  return { key: checkKey(fields.key), value: fields.value as JsonValue };
}
