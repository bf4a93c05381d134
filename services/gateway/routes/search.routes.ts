import { Router } from 'express';
import { SearchQuery } from '../../../contracts';
import type { Db } from '../../db/pool';
import { searchDocuments } from '../../domain/search/document-search';
import { principalOf } from '../middleware/authenticate';
import { validationError } from '../../http/parsing/submission.parser';

/** GET /v1/search: the caller agency's documents (received copies and sent documents), scoped like every read. */
export function searchRoutes(db: Db): Router {
  const router = Router();
  router.get('/v1/search', async (req, res) => {
    const q = SearchQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    res.json(await searchDocuments(db, principalOf(res).agencyCode, q.data));
  });
  return router;
}
