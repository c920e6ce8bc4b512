/**
 * JSON values as the replicated machines store them: parsed from bytes that
 * never throw, checked to be values every server stores and snapshots alike
 * (finite numbers, bounded nesting), and frozen so that a result handed to a
 * caller cannot change the machine.
 */

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Deepest nesting of arrays and objects accepted; deeper values could overflow the stack when stringified. */
export const MAX_JSON_DEPTH = 64;

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** `ignoreBOM` keeps a leading U+FEFF, so that bytes decode to exactly the text they carry. */
const UTF8_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses UTF-8 JSON text; never throws. The value is not yet checked with `freezeJson`. */
export function parseJsonBytes(bytes: Uint8Array): Checked<unknown> {
  let text: string;
  try {
    text = UTF8_DECODER.decode(bytes);
  } catch {
    return { ok: false, reason: 'not UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
}

/**
 * Checks that a freshly parsed value is a JSON value within MAX_JSON_DEPTH with
 * finite numbers, turns -0 into 0 (JSON text cannot keep it), and freezes it in
 * place. Never throws; iterative, so deep input cannot overflow the stack.
 */
export function freezeJson(value: unknown): Checked<JsonValue> {
  const top = normalizeNumber(value);
  if (top === undefined) return refuse(value);
  const pending: { readonly node: unknown; readonly depth: number }[] = [{ node: top, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, depth } = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { ok: false, reason: `nested deeper than ${MAX_JSON_DEPTH}` };
    const container = node as Record<string, unknown>;
    const plain = Array.isArray(node) || Object.getPrototypeOf(node) === Object.prototype;
    if (!plain) return { ok: false, reason: 'not a JSON value' };
    for (const key of Object.keys(container)) {
      const original = container[key];
      const child = normalizeNumber(original);
      if (child === undefined) return refuse(original);
      // defineProperty, not assignment: an own "__proto__" key must stay a plain property.
      if (!Object.is(child, original)) Object.defineProperty(container, key, { value: child });
      pending.push({ node: child, depth: depth + 1 });
    }
    Object.freeze(node);
  }
  return { ok: true, value: top as JsonValue };
}

function refuse(value: unknown): { readonly ok: false; readonly reason: string } {
  return { ok: false, reason: typeof value === 'number' ? `number ${value} cannot be stored` : 'not a JSON value' };
}

/** The value with -0 as 0, or undefined if it is a non-finite number or no JSON type at all. */
function normalizeNumber(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value + 0 : undefined;
    case 'string':
    case 'boolean':
    case 'object':
      return value;
    default:
      return undefined;
  }
}
