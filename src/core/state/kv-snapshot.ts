/**
 * The key/value machine's snapshot body: UTF-8 JSON, keys sorted so that equal
 * states give equal bytes,
 *
 *   {"applied":9,"keys":[["a",7,{"n":1}],...],"sessions":[["c7",12,9,{"ok":true,"revision":7}],...]}
 *
 * (sessions oldest first). Decoding checks everything before anything is used
 * and never throws.
 */
import { freezeJson, parseJsonBytes } from './json.js';
import type { Checked, JsonValue } from './json.js';
import { isClientId, isRevision } from './kv-codec.js';
import { MAX_KEY_LENGTH } from './kv-types.js';
import type { KvError, KvResult } from './kv-types.js';
import type { SessionRecord } from './sessions.js';

export const KV_SNAPSHOT_VERSION = 1;

export interface KvEntry {
  /** Log index of the entry that last wrote the key. */
  readonly revision: number;
  readonly value: JsonValue;
}

export interface KvState {
  readonly applied: number;
  readonly keys: ReadonlyMap<string, KvEntry>;
  readonly sessions: readonly SessionRecord<KvResult>[];
}

const KV_ERRORS: ReadonlySet<string> = new Set<KvError>(['not-found', 'cas-failed', 'bad-command', 'stale-sequence']);
const UTF8_ENCODER = new TextEncoder();

export function encodeKvState(state: KvState): Uint8Array {
  const keys = [...state.keys.keys()].sort();
  const parts: string[] = [`{"applied":${state.applied},"keys":[`];
  keys.forEach((key, i) => {
    const entry = state.keys.get(key) as KvEntry;
    parts.push(`${i === 0 ? '' : ','}[${JSON.stringify(key)},${entry.revision},${JSON.stringify(entry.value)}]`);
  });
  parts.push('],"sessions":[');
  state.sessions.forEach((s, i) => {
    parts.push(`${i === 0 ? '' : ','}[${JSON.stringify(s.client)},${s.seq},${s.lastIndex},${JSON.stringify(s.result)}]`);
  });
  parts.push(']}');
  return UTF8_ENCODER.encode(parts.join(''));
}

export function decodeKvState(body: Uint8Array): Checked<KvState> {
  const parsed = parseJsonBytes(body);
  if (!parsed.ok) return parsed;
  const root = parsed.value as { applied?: unknown; keys?: unknown; sessions?: unknown } | null;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return bad('not a JSON object');
  const applied = root.applied;
  if (!isRevision(applied)) return bad('applied is not an index');
  if (!Array.isArray(root.keys) || !Array.isArray(root.sessions)) return bad('keys or sessions is not a list');

  const keys = new Map<string, KvEntry>();
  for (const item of root.keys as unknown[]) {
    if (!Array.isArray(item) || item.length !== 3) return bad('a key is not [key, revision, value]');
    const [key, revision, raw] = item as [unknown, unknown, unknown];
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return bad('a key is not a valid key');
    if (keys.has(key)) return bad(`key ${JSON.stringify(key)} appears twice`);
    if (!isRevision(revision) || revision === 0 || revision > applied) return bad(`key ${JSON.stringify(key)} has revision ${String(revision)}`);
    const value = freezeJson(raw);
    if (!value.ok) return bad(`key ${JSON.stringify(key)}: ${value.reason}`);
    keys.set(key, { revision, value: value.value });
  }

  const sessions: SessionRecord<KvResult>[] = [];
  for (const item of root.sessions as unknown[]) {
    if (!Array.isArray(item) || item.length !== 4) return bad('a session is not [client, seq, lastIndex, result]');
    const [client, seq, lastIndex, raw] = item as [unknown, unknown, unknown, unknown];
    if (!isClientId(client) || !isRevision(seq) || seq === 0) return bad('a session has a bad client or seq');
    if (!isRevision(lastIndex) || lastIndex === 0 || lastIndex > applied) return bad(`session ${JSON.stringify(client)} has lastIndex ${String(lastIndex)}`);
    const result = decodeResult(raw, applied);
    if (!result.ok) return bad(`session ${JSON.stringify(client)}: ${result.reason}`);
    sessions.push({ client, seq, lastIndex, result: Object.freeze(result.value) });
  }
  return { ok: true, value: { applied, keys, sessions } };
}

function decodeResult(raw: unknown, applied: number): Checked<KvResult> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('result is not an object');
  const { ok, revision, value, error, reason, ...rest } = raw as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return bad('result has unknown fields');
  if (!isRevision(revision) || revision > applied) return bad('result has a bad revision');
  if (ok === true) {
    if (error !== undefined || reason !== undefined) return bad('a successful result has an error');
    if (value === undefined) return { ok: true, value: { ok, revision } };
    const checked = freezeJson(value);
    return checked.ok ? { ok: true, value: { ok, revision, value: checked.value } } : bad(`result value: ${checked.reason}`);
  }
  if (ok !== false || typeof error !== 'string' || !KV_ERRORS.has(error) || value !== undefined) return bad('result is not a KvResult');
  if (reason !== undefined && typeof reason !== 'string') return bad('result reason is not a string');
  return { ok: true, value: { ok, revision, error: error as KvError, ...(reason === undefined ? {} : { reason }) } };
}

function bad(reason: string): { readonly ok: false; readonly reason: string } {
  return { ok: false, reason };
}
