import type { Request } from 'express';
import { ErrorCode, SearchQuery } from '../../../contracts';
import { DEFAULT_PAGE_SIZE } from '../../domain/paging/cursor';
import { DomainError } from '../../domain/errors/domain-error';
import type { ListQuery } from '../views/pager.view';

export interface WebListQuery {
  /** What the search runs with (paging included). */
  query: SearchQuery;
  /** The filters alone, for links and forms. */
  filters: ListQuery;
  limit: number;
}

const FIELD_NAMES: Record<string, string> = {
  q: 'từ khóa', type: 'loại văn bản', sender: 'nơi gửi', urgency: 'độ khẩn', status: 'trạng thái', from: 'từ ngày', to: 'đến ngày',
  issuedFrom: 'ban hành từ ngày', issuedTo: 'ban hành đến ngày', limit: 'số dòng mỗi trang', cursor: 'trang', box: 'hộp văn bản',
  overdue: 'quá hạn', revoked: 'thu hồi', page: 'trang', count: 'cách đếm',
};

/** A list page's query string → the search; anything malformed is a 400 page naming the field, in Vietnamese. */
export function webListQuery(req: Request, fixed: Partial<SearchQuery> = {}): WebListQuery {
  const raw = { ...(req.query as Record<string, unknown>) };
  const parsed = SearchQuery.safeParse(raw);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Giá trị "${FIELD_NAMES[field] ?? 'bộ lọc'}" không hợp lệ.`, [{ path: [field] }]);
  }
  const query: SearchQuery = { ...parsed.data, ...fixed };
  const filters: ListQuery = {};
  for (const [k, v] of Object.entries(parsed.data)) {
    if (['cursor', 'page', 'limit'].includes(k) || v === undefined) continue;
    filters[k] = String(v);
  }
  return { query, filters, limit: query.limit ?? DEFAULT_PAGE_SIZE };
}
