import { Router } from 'express';
import type { Db } from '../../db/pool';
import { searchDocuments } from '../../domain/search/document-search';
import { unitFigures } from '../queries/unit-dashboard.query';
import { allow, userOf } from '../security/access-policy';
import { leaderPage } from '../views/leader.view';

export function leaderRoutes(db: Db): Router {
  const router = Router();
  router.get('/leader', allow('documents.assign'), async (_req, res) => {
    const agency = userOf(res).agencyCode;
    const [toAssign, late, units] = await Promise.all([
      searchDocuments(db, agency, { box: 'in', status: 'accepted', limit: 50 }),
      searchDocuments(db, agency, { box: 'in', overdue: '1', limit: 50 }),
      unitFigures(db, agency),
    ]);
    res.type('html').send(leaderPage(res, toAssign, late, units).value);
  });
  return router;
}
