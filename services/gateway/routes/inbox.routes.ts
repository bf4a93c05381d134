import { Router } from 'express';
import type { InboxPage } from '../../../contracts';
import type { Db } from '../../db/pool';
import { listInbox } from '../../domain/dispatches/inbox-list';
import { principalOf } from '../middleware/authenticate';
import { pageQueryOf } from './page-query';

export function inboxRoutes(db: Db): Router {
  const router = Router();
  router.get('/v1/inbox', async (req, res) => {
    const page: InboxPage = await listInbox(db, { recipient: principalOf(res).agencyCode, ...pageQueryOf(req) });
    res.json(page);
  });
  return router;
}
