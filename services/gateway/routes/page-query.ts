import type { Request } from 'express';
import type { PageRequest } from '../../domain/paging/keyset-page';
import { validationError } from '../../http/parsing/submission.parser';
import { PageQueryFields } from '../../http/parsing/page-query-fields';

/** The paging of the API's lists (GET /v1/inbox, /v1/outbox): no other query field is accepted. */
const PageQuery = PageQueryFields.strict();

/** The request's paging, or 400 VALIDATION_FAILED naming the query field (an unknown one included). */
export function pageQueryOf(req: Request): PageRequest {
  const q = PageQuery.safeParse(req.query);
  if (!q.success) throw validationError(q.error, 'query');
  return { limit: q.data.limit, cursor: q.data.cursor, last: q.data.page === 'last' };
}
