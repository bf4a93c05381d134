import { Router } from 'express';
import type { Db } from '../../db/pool';
import { listOverdue } from '../../domain/dispatches/overdue';
import { principalOf } from '../middleware/authenticate';

/** The caller's sent dispatches that are overdue (see overdue.ts for the rule). */
export function overdueRoutes(db: Db): Router {
  const router = Router();
  router.get('/v1/outbox/overdue', async (_req, res) => {
    res.json({ items: await listOverdue(db, principalOf(res).agencyCode) });
  });
  return router;
}
