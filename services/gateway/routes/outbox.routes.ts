import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/pool';
import { listOutbox } from '../../domain/documents/outbox-list';
import { principalOf } from '../middleware/authenticate';
import { validationError } from '../../http/parsing/submission.parser';

const Query = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(1000).optional(),
    page: z.enum(['last']).optional(),
  })
  .strict();

export function outboxRoutes(db: Db): Router {
  const router = Router();
  router.get('/v1/outbox', async (req, res) => {
    const q = Query.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    res.json(await listOutbox(db, principalOf(res).agencyCode, { limit: q.data.limit, cursor: q.data.cursor, last: q.data.page === 'last' }));
  });
  return router;
}
