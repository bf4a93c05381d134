import { Router } from 'express';
import type { Db } from '../../db/pool';
import { searchDocuments } from '../../domain/search/document-search';
import { searchInbox } from '../queries/inbox.query';
import { unitFigures } from '../queries/unit-dashboard.query';
import { allow, userOf } from '../security/access-policy';
import { leaderPage } from '../views/leader.view';

export function leaderRoutes(db: Db): Router {
  const router = Router();
  router.get('/leader', allow('documents.assign'), async (_req, res) => {
    const agency = userOf(res).agencyCode;
    const [toAssign, submitted, late, units] = await Promise.all([
      searchInbox(db, agency, { status: 'accepted' }),
      searchInbox(db, agency, { stage: 'submitted' }),
      searchDocuments(db, agency, { box: 'in', overdue: '1', limit: 50 }),
      unitFigures(db, agency),
    ]);
    // Urgent copies reach the leader at once, registered or not; submitted ones first.
    const seen = new Set(submitted.map((r) => r.dispatchId));
    const queue = [...submitted, ...toAssign.filter((r) => !seen.has(r.dispatchId) && r.urgency !== 'normal' && r.stage !== 'assigned' && r.stage !== 'in_progress' && r.stage !== 'completed')];
    const urgentNew = (await searchInbox(db, agency, { status: 'delivered' })).filter((r) => r.urgency !== 'normal');
    res.type('html').send(leaderPage(res, [...urgentNew, ...queue], late, units).value);
  });
  return router;
}
