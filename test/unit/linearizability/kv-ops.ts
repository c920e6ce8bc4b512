/** Short builders for hand-made key/value histories. */
import type { JsonValue } from '../../../src/core/state/json.js';
import type { KvOperation, KvResult } from '../../../src/core/state/kv-types.js';
import type { Operation } from '../../support/linearizability.js';

export type KvOp = Operation<KvOperation, KvResult>;

export const put = (key: string, value: JsonValue, cas?: number): KvOperation => ({ type: 'put', key, value, ...(cas === undefined ? {} : { cas }) });
export const del = (key: string, cas?: number): KvOperation => ({ type: 'delete', key, ...(cas === undefined ? {} : { cas }) });
export const get = (key: string): KvOperation => ({ type: 'get', key });

export const ok = (revision: number): KvResult => ({ ok: true, revision });
export const saw = (value: JsonValue, revision: number): KvResult => ({ ok: true, revision, value });
export const notFound: KvResult = { ok: false, revision: 0, error: 'not-found' };
export const casFailed = (revision: number): KvResult => ({ ok: false, revision, error: 'cas-failed' });

/** An operation that returned `output` at `ret`. */
export function done(client: string, call: number, ret: number, input: KvOperation, output: KvResult): KvOp {
  return { client, input, call, output, return: ret };
}

/** An operation whose outcome is unknown: it may take effect at any time after `call`, or never. */
export function lost(client: string, call: number, input: KvOperation): KvOp {
  return { client, input, call };
}
