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
}

/** An opaque cursor: base64url of `{"d":"a"|"b","k":[...]}`. */
export function encodeCursor(dir: CursorDirection, key: string[]): string {
  return Buffer.from(JSON.stringify({ d: dir, k: key }), 'utf8').toString('base64url');
}

function malformed(): DomainError {
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
  const p = parsed as { d?: unknown; k?: unknown };
  if (!p || typeof p !== 'object' || (p.d !== 'a' && p.d !== 'b') || !Array.isArray(p.k) || p.k.length !== arity) throw malformed();
  if (!p.k.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 100)) throw malformed();
  return { dir: p.d, key: p.k as string[] };
}
