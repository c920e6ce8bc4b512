/**
 * The key/value machine's commands as bytes in the Raft log: UTF-8 JSON with a
 * version tag, for example
 *
 *   {"v":1,"op":"put","key":"a","value":{"n":1},"cas":0,"client":"c7","seq":12}
 *   {"v":1,"op":"delete","key":"a"}
 *   {"v":1,"op":"get","key":"a","client":"c7","seq":13}
 *
 * `cas`, and `client` with `seq`, are optional. Decoding never throws and is
 * strict: an unknown field, a missing or mistyped one, or another version is a
 * bad command. Encoding throws RangeError for a command that would not decode.
 */
import { freezeJson, parseJsonBytes } from './json.js';
import type { Checked } from './json.js';
import { MAX_CLIENT_ID_LENGTH, MAX_COMMAND_BYTES, MAX_KEY_LENGTH } from './kv-types.js';
import type { ClientSession, KvCommand, KvOperation } from './kv-types.js';

export const KV_COMMAND_VERSION = 1;

const FIELDS: Readonly<Record<KvOperation['type'], ReadonlySet<string>>> = {
  put: new Set(['v', 'op', 'key', 'value', 'cas', 'client', 'seq']),
  delete: new Set(['v', 'op', 'key', 'cas', 'client', 'seq']),
  get: new Set(['v', 'op', 'key', 'client', 'seq']),
};

const UTF8_ENCODER = new TextEncoder();

/** The command's bytes. Throws RangeError if it is invalid (bad key, session, cas or value, or too large). */
export function encodeKvCommand(command: KvCommand): Uint8Array {
  const wire: Record<string, unknown> = { v: KV_COMMAND_VERSION, op: command.type, key: command.key };
  if (command.type === 'put') wire.value = command.value;
  if (command.type !== 'get' && command.cas !== undefined) wire.cas = command.cas;
  if (command.session !== undefined) {
    wire.client = command.session.client;
    wire.seq = command.session.seq;
  }
  let text: string;
  try {
    text = JSON.stringify(wire);
  } catch (error) {
    throw new RangeError(`kv command: value is not JSON (${String(error)})`);
  }
  const bytes = UTF8_ENCODER.encode(text);
  const decoded = decodeKvCommand(bytes);
  if (!decoded.ok) throw new RangeError(`kv command: ${decoded.reason}`);
  return bytes;
}

/** The command the bytes carry, or why they are not one. Never throws. */
export function decodeKvCommand(bytes: Uint8Array): Checked<KvCommand> {
  if (bytes.length > MAX_COMMAND_BYTES) return bad(`larger than ${MAX_COMMAND_BYTES} bytes`);
  const parsed = parseJsonBytes(bytes);
  if (!parsed.ok) return parsed;
  const wire = parsed.value;
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) return bad('not a JSON object');
  const fields = wire as Record<string, unknown>;
  if (fields.v !== KV_COMMAND_VERSION) return bad(`version is not ${KV_COMMAND_VERSION}`);
  const type = fields.op;
  if (type !== 'put' && type !== 'delete' && type !== 'get') return bad('op is not put, delete or get');
  const unknown = Object.keys(fields).find((name) => !FIELDS[type].has(name));
  if (unknown !== undefined) return bad(`unknown field ${JSON.stringify(unknown)} for ${type}`);

  const key = fields.key;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return bad(`key is not a string of 1 to ${MAX_KEY_LENGTH} characters`);
  const cas = fields.cas;
  if (cas !== undefined && !isRevision(cas)) return bad('cas is not a non-negative safe integer');
  const session = decodeSession(fields.client, fields.seq);
  if (!session.ok) return session;
  const withSession = session.value === undefined ? {} : { session: session.value };
  const withCas = cas === undefined ? {} : { cas };

  switch (type) {
    case 'get':
      return { ok: true, value: { type, key, ...withSession } };
    case 'delete':
      return { ok: true, value: { type, key, ...withCas, ...withSession } };
    case 'put': {
      if (!('value' in fields)) return bad('put has no value');
      const value = freezeJson(fields.value);
      if (!value.ok) return bad(`value: ${value.reason}`);
      return { ok: true, value: { type, key, value: value.value, ...withCas, ...withSession } };
    }
  }
}

/** True for a revision or cas: a non-negative safe integer. */
export function isRevision(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** True for a client id as sessions accept it. */
export function isClientId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CLIENT_ID_LENGTH;
}

function decodeSession(client: unknown, seq: unknown): Checked<ClientSession | undefined> {
  if (client === undefined && seq === undefined) return { ok: true, value: undefined };
  if (!isClientId(client)) return bad(`client is not a string of 1 to ${MAX_CLIENT_ID_LENGTH} characters`);
  if (!isRevision(seq) || seq === 0) return bad('seq is not a positive safe integer');
  return { ok: true, value: { client, seq } };
}

function bad(reason: string): { readonly ok: false; readonly reason: string } {
  return { ok: false, reason };
}
