import { Router } from 'express';
import type { Db } from '../../db/pool';
import { searchDocuments } from '../../domain/search/document-search';
import { allow, userOf } from '../security/access-policy';
import { leaderPage } from '../views/leader.view';

export function leaderRoutes(db: Db): Router {
  const router = Router();
  router.get('/leader', allow('documents.assign'), async (_req, res) => {
    const agency = userOf(res).agencyCode;
    const [toAssign, late] = await Promise.all([
      searchDocuments(db, agency, { box: 'in', status: 'accepted', limit: 50 }),
      searchDocuments(db, agency, { box: 'in', overdue: '1', limit: 50 }),
    ]);
    res.type('html').send(leaderPage(res, toAssign, late).value);
  });
  return router;
}
