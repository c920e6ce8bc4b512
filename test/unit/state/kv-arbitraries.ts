/** fast-check generators of key/value commands over a small key and client space, so that commands collide. */
import fc from 'fast-check';
import type { JsonValue } from '../../../src/core/state/json.js';
import type { KvCommand, KvOperation } from '../../../src/core/state/kv-types.js';

const key = fc.constantFrom('a', 'b', 'c', 'ключ', '🔑');
const cas = fc.nat(40);
const value = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>;

export const kvOperation: fc.Arbitrary<KvOperation> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key, value, cas }, { requiredKeys: ['type', 'key', 'value'] }),
  fc.record({ type: fc.constant('delete' as const), key, cas }, { requiredKeys: ['type', 'key'] }),
  fc.record({ type: fc.constant('get' as const), key }),
);

export const kvCommand: fc.Arbitrary<KvCommand> = fc
  .tuple(kvOperation, fc.option(fc.record({ client: fc.constantFrom('c1', 'c2', 'c3'), seq: fc.integer({ min: 1, max: 6 }) }), { nil: undefined }))
  .map(([op, session]) => (session === undefined ? op : { ...op, session }));
