// Promises: how one put and one linearizable get look on the wire for each
// system, and whether a response counts as success. Shared by the load
// generator and the failover probe so both systems are driven the same way.
import { Buffer } from 'node:buffer';

/** 256 bytes of printable ASCII: the value of every put (raw for dinc, base64 in JSON for etcd). */
export const VALUE = Array.from({ length: 256 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');

export const keyFor = (client, n) => `bench-${client}-${n % 1000}`;

const b64 = (s) => Buffer.from(s).toString('base64');
const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * Per system: put/get build { method, path, headers, body }; putOk/getOk take
 * (status, body) and say whether it succeeded (getOk: 'hit' | 'miss' | false).
 */
export const PROTOCOLS = {
  etcd: {
    // etcd 3.4's grpc-gateway; /v3/ and /v3beta/ both answer in 3.4.
    put: (key) => ({ method: 'POST', path: '/v3/kv/put', headers: JSON_HEADERS, body: JSON.stringify({ key: b64(key), value: b64(VALUE) }) }),
    // Range is linearizable unless "serializable": true is sent.
    get: (key) => ({ method: 'POST', path: '/v3/kv/range', headers: JSON_HEADERS, body: JSON.stringify({ key: b64(key) }) }),
    // Errors come back as a non-2xx status with {"error", "code"}; a 200 always carries a header.
    putOk: (status, body) => status === 200 && body.includes('"header"'),
    getOk: (status, body) => (status !== 200 || !body.includes('"header"') ? false : body.includes('"kvs"') ? 'hit' : 'miss'),
  },
  dinc: {
    put: (key) => ({ method: 'PUT', path: `/v1/kv/${encodeURIComponent(key)}`, headers: { 'content-type': 'text/plain' }, body: VALUE }),
    // Linearizable by default; ?consistency=stale would be a local read.
    get: (key) => ({ method: 'GET', path: `/v1/kv/${encodeURIComponent(key)}`, headers: {}, body: undefined }),
    putOk: (status, body) => status === 200 && /"ok"\s*:\s*true/.test(body),
    // 404 is a successful linearizable read of an absent key (etcd answers 200 without kvs).
    getOk: (status) => (status === 200 ? 'hit' : status === 404 ? 'miss' : false),
  },
};
