import { Router } from 'express';
import { EdocRateQuery, ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { DomainError } from '../../domain/errors/domain-error';
import { computeEdocRate } from '../../stats/edoc-rate';
import { addDays, isRealDay, quarterBounds, quarterOfDay, vnDay } from '../../stats/periods';
import { authorizeFigures } from '../../stats/stats-access';
import { principalOf } from '../middleware/authenticate';
import { validationError } from '../../http/parsing/submission.parser';

/** Ten years of figures at most in one request: enough for any comparison, bounded in cost. */
const MAX_SPAN_DAYS = 3_660;

export function statsRoutes(db: Db): Router {
  const router = Router();
  /** ?from&to (issue dates, default: the current quarter)&agency (code or group:<id>)&groupBy */
  router.get('/v1/stats/edoc-rate', async (req, res) => {
    const q = EdocRateQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const filter = authorizeFigures(principalOf(res), q.data.agency);
    const now = new Date();
    const current = quarterOfDay(vnDay(now));
    const from = q.data.from ?? quarterBounds(current.year, current.quarter).from;
    const to = q.data.to ?? quarterBounds(current.year, current.quarter).to;
    for (const [path, day] of [['from', from], ['to', to]] as const) {
      if (!isRealDay(day)) throw new DomainError(ErrorCode.VALIDATION_FAILED, `Ngày không hợp lệ: ${day}.`, [{ path: `query.${path}` }]);
    }
    if (from > to) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'from phải trước hoặc bằng to.', [{ path: 'query.from' }]);
    if (addDays(from, MAX_SPAN_DAYS) < to) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, `Khoảng thời gian tối đa ${MAX_SPAN_DAYS} ngày.`, [{ path: 'query.to' }]);
    }
    res.json(await computeEdocRate(db, { from, to, filter, groupBy: q.data.groupBy, asOf: now }));
  });
  return router;
}
