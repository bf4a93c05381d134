import type { Request } from 'express';
import { ErrorCode } from '../../../contracts';
import { PageQueryFields } from '../../http/parsing/page-query-fields';
import { DomainError } from '../../domain/errors/domain-error';
import type { PageRequest } from '../../domain/paging/keyset-page';

const FIELD_NAMES: Record<string, string> = { limit: 'số dòng mỗi trang', cursor: 'trang', page: 'trang' };

/**
 * The paging of a web list without filters (`limit`, keyset `cursor`, `page=last`, as the pager's
 * links write them). Anything malformed is a 400 page naming the field in Vietnamese; a cursor that
 * does not decode is refused by the list itself, as on the other pages. Other query fields are ignored.
 */
export function webPageRequest(req: Request): PageRequest {
  const q = PageQueryFields.safeParse(req.query);
  if (!q.success) {
    const field = String(q.error.issues[0]?.path[0] ?? '');
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Giá trị "${FIELD_NAMES[field] ?? 'phân trang'}" không hợp lệ.`, [{ path: [field] }]);
  }
  return { limit: q.data.limit, cursor: q.data.cursor, last: q.data.page === 'last' };
}
