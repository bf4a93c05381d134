import { ErrorCode } from '../../../contracts';
import { DomainError } from '../errors/domain-error';

/** Page sizes a user may choose in the web; the API accepts any size from 1 to MAX_PAGE_SIZE. */
export const PAGE_SIZES = [20, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Which side of the cursor's row the page lies: `a` after it (older), `b` before it (newer). */
export type CursorDirection = 'a' | 'b';

export interface DecodedCursor {
  dir: CursorDirection;
  /** The sort key of the boundary row, as PostgreSQL printed it (exact: microseconds, float4 digits). */
  key: string[];
  /**
   * Values the list carries from its first page to the next ones, the same for every row (a ranked
   * search's window bound: ranked-search.ts); the list checks them against their types.
   */
  carry?: string[] | undefined;
}

/** An opaque cursor: base64url of `{"d":"a"|"b","k":[...]}` (and `"w":[...]`, the carried values). */
export function encodeCursor(dir: CursorDirection, key: string[], carry?: string[]): string {
  return Buffer.from(JSON.stringify(carry?.length ? { d: dir, k: key, w: carry } : { d: dir, k: key }), 'utf8').toString('base64url');
}

/** The 400 of a cursor this module did not write. */
export function malformed(): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'Con trỏ trang (cursor) không hợp lệ; hãy mở lại trang đầu.', [
    { path: ['cursor'], message: 'malformed cursor' },
  ]);
}

/**
 * Decodes a cursor of a list whose key has `arity` parts. Anything that is not a cursor this
 * module wrote (bad base64, bad JSON, wrong shape, wrong arity, over-long) is a 400
 * VALIDATION_FAILED, never a 500 and never a silent first page.
 */
export function decodeCursor(raw: string, arity: number): DecodedCursor {
  if (raw.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw malformed();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  const p = parsed as { d?: unknown; k?: unknown; w?: unknown };
  if (!p || typeof p !== 'object' || (p.d !== 'a' && p.d !== 'b') || !Array.isArray(p.k) || p.k.length !== arity) throw malformed();
  const part = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 100;
  if (!p.k.every(part)) throw malformed();
  if (p.w !== undefined && (!Array.isArray(p.w) || p.w.length > 4 || !p.w.every(part))) throw malformed();
  return { dir: p.d, key: p.k as string[], ...(p.w !== undefined ? { carry: p.w as string[] } : {}) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Throws the same 400 as a malformed cursor when a key part would not be read by PostgreSQL as its
 * type (a forged cursor must never reach the database as a value it refuses with a 500).
 */
export function checkKeyParts(key: string[], types: string[]): void {
  key.forEach((value, i) => {
    if (!keyPartValid(types[i] ?? 'text', value)) throw malformed();
  });
}

function keyPartValid(type: string, value: string): boolean {
  switch (type) {
    case 'uuid':
      return UUID.test(value);
    case 'timestamptz':
    case 'timestamp':
      return validTimestamp(value);
    case 'date': {
      const m = DATE.exec(value);
      return m !== null && validDay(Number(m[1]), Number(m[2]), Number(m[3]));
    }
    case 'int':
    case 'int4':
    case 'integer':
      return integerWithin(value, -(2n ** 31n), 2n ** 31n - 1n);
    case 'smallint':
    case 'int2':
      return integerWithin(value, -(2n ** 15n), 2n ** 15n - 1n);
    case 'bigint':
    case 'int8':
      return integerWithin(value, -(2n ** 63n), 2n ** 63n - 1n);
    case 'real':
    case 'float4':
      return floatValid(value, Math.fround);
    case 'float8':
    case 'double precision':
      return floatValid(value, (x) => x);
    case 'numeric': {
      if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return true;
      const m = NUMBER.exec(value);
      // An exponent within ±1000: numeric reads those (and more); a forged huge one never reaches it.
      return m !== null && (m[1] === undefined || Math.abs(Number(m[1])) <= 1000);
    }
    default:
      return !value.includes('\u0000');
  }
}

/** A decimal number as the float and numeric types read it; group 1 is the exponent. */
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?$/i;

function integerWithin(value: string, min: bigint, max: bigint): boolean {
  if (!/^-?\d{1,20}$/.test(value)) return false;
  const n = BigInt(value);
  return n >= min && n <= max;
}

/**
 * A float key as float4in/float8in read it: the special values, or a decimal whose value rounded
 * to the type (`round`: Math.fround for real) is finite, and is not zero unless the digits are
 * (PostgreSQL refuses an overflow to infinity and an underflow to zero, "out of range"; a subnormal
 * that is not zero is read).
 */
function floatValid(value: string, round: (x: number) => number): boolean {
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return true;
  if (!NUMBER.test(value)) return false;
  const x = round(Number(value));
  if (!Number.isFinite(x)) return false;
  const mantissaNonZero = /[1-9]/.test(value.replace(/e.*$/i, ''));
  return x !== 0 || !mantissaNonZero;
}

function validDay(y: number, mo: number, d: number): boolean {
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function validTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!validDay(y, mo, d) || h > 23 || mi > 59 || se > 59) return false;
  const offH = m[8] === undefined ? 0 : Number(m[8]);
  const offM = m[9] === undefined ? 0 : Number(m[9]);
  return offH <= 15 && offM <= 59;
}
