import { ErrorCode } from '../../../contracts';
import { DomainError } from '../errors/domain-error';

/**
 * The paging cursor of /v1/inbox and /v1/outbox: base64url of `<timestamp>|<uuid>`, the position
 * of the last item of the previous page (the timestamp as PostgreSQL writes timestamptz, to the
 * microsecond). A cursor the server did not make is a 400 VALIDATION_FAILED here, before it can
 * reach the database as a value PostgreSQL refuses.
 */
export interface CursorPosition {
  at: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|([+-])(\d{2})(?::?(\d{2}))?)?$/;

export function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorPosition | null {
  if (cursor === undefined || cursor === '') return null;
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const [at, id, ...rest] = text.split('|');
  if (rest.length === 0 && at && id && UUID.test(id) && validTimestamp(at)) return { at, id };
  throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Tham số cursor không hợp lệ: hãy dùng đúng giá trị nextCursor của trang trước.', [
    { path: 'query.cursor', code: 'invalid_cursor' },
  ]);
}

function validTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return false;
  if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return false;
  const offH = m[8] === undefined ? 0 : Number(m[8]);
  const offM = m[9] === undefined ? 0 : Number(m[9]);
  return offH <= 15 && offM <= 59;
}
