import type { Request } from 'express';
import { z } from 'zod';
import type { PageRequest } from '../../domain/paging/keyset-page';
import { validationError } from '../../http/parsing/submission.parser';

/** The paging of the API's lists (GET /v1/inbox, /v1/outbox): `limit`, keyset `cursor`, `page=last`. */
const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(1000).optional(),
    page: z.enum(['last']).optional(),
  })
  .strict();

/** The request's paging, or 400 VALIDATION_FAILED naming the query field (an unknown one included). */
export function pageQueryOf(req: Request): PageRequest {
  const q = PageQuery.safeParse(req.query);
  if (!q.success) throw validationError(q.error, 'query');
  return { limit: q.data.limit, cursor: q.data.cursor, last: q.data.page === 'last' };
}
