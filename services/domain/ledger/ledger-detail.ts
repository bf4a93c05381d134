/**
 * `ledger.detail` is jsonb, and jsonb does not keep the key order it was given: it stores keys
 * shorter first, then by bytes. A row's hash covers `JSON.stringify(detail)` as the appender
 * built it, so a detail whose keys were not already in jsonb order reads back in another order
 * than the one hashed. Appenders should build details with `jsonbOrdered` (then the stored row
 * re-serialises to the hashed bytes); `ledger verify` also accepts any order of the top-level keys
 * (see `detailKeyOrders`), which binds the same keys and values, for rows written before that.
 */
export function jsonbOrdered<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => jsonbOrdered(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => compareJsonbKeys(a, b));
  return Object.fromEntries(entries.map(([k, v]) => [k, jsonbOrdered(v)])) as T;
}

/** PostgreSQL's jsonb key order: by length in bytes, then bytewise. */
export function compareJsonbKeys(a: string, b: string): number {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length - bb.length || Buffer.compare(ab, bb);
}

/** Above this many keys the search would cost too much; such rows must be hashed in jsonb order. */
export const MAX_PERMUTED_KEYS = 7;

/**
 * Every other order of a detail's top-level keys (the stored order comes first, and is not
 * repeated here). Nested objects keep their stored order.
 */
export function* detailKeyOrders(detail: unknown): Generator<unknown> {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return;
  const keys = Object.keys(detail);
  if (keys.length < 2 || keys.length > MAX_PERMUTED_KEYS) return;
  const obj = detail as Record<string, unknown>;
  let first = true;
  for (const order of permutations(keys)) {
    if (first) {
      first = false; // the identity permutation comes first: the stored order, already tried
      continue;
    }
    yield Object.fromEntries(order.map((k) => [k, obj[k]]));
  }
}

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield items.slice();
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i]!, ...tail];
  }
}
