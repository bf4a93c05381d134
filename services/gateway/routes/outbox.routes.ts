import { Router } from 'express';
import type { Db } from '../../db/pool';
import { listOutbox } from '../../domain/documents/outbox-list';
import { principalOf } from '../middleware/authenticate';
import { pageQueryOf } from './page-query';

export function outboxRoutes(db: Db): Router {
  const router = Router();
  router.get('/v1/outbox', async (req, res) => {
    res.json(await listOutbox(db, principalOf(res).agencyCode, pageQueryOf(req)));
  });
  return router;
}
