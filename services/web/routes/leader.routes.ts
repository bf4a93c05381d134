import { Router } from 'express';
import type { Db } from '../../db/pool';
import { searchInbox } from '../queries/inbox.query';
import { allow, userOf } from '../security/access-policy';
import { leaderPage } from '../views/leader.view';

export function leaderRoutes(db: Db): Router {
  const router = Router();
  router.get('/leader', allow('documents.assign'), async (_req, res) => {
    const agency = userOf(res).agencyCode;
    const [toAssign, late] = await Promise.all([searchInbox(db, agency, { status: 'accepted' }), searchInbox(db, agency, { lateOnly: true })]);
    res.type('html').send(leaderPage(res, toAssign, late).value);
  });
  return router;
}
