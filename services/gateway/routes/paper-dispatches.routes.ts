import express, { Router, type RequestHandler } from 'express';
import { ErrorCode, PaperDispatchRequest } from '../../../contracts';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { DomainError } from '../../domain/errors/domain-error';
import { recordPaperDispatch } from '../../domain/paper/record-paper-dispatch';
import { principalOf } from '../middleware/authenticate';
import { validationError } from '../../http/parsing/submission.parser';
import { paperLimitsFrom } from '../../domain/documents/accept-limits';

export function paperDispatchesRoutes(db: Db, config: Config): Router {
  const router = Router();
  const json = express.json({ limit: '1mb', strict: true, type: () => true });
  const onlyJson: RequestHandler = (req, _res, next) => {
    if (req.is('application/json')) return json(req, _res, next);
    next(new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Chỉ nhận application/json.'));
  };

  /** Records a document the caller's agency sent on paper → 201 {id}. */
  router.post('/v1/paper-dispatches', onlyJson, async (req, res) => {
    const body = PaperDispatchRequest.safeParse(req.body);
    if (!body.success) throw validationError(body.error, 'body');
    const principal = principalOf(res);
    const recorded = await recordPaperDispatch(db, principal.agencyCode, principal.keyId, body.data, paperLimitsFrom(config));
    res.status(201).json({ id: recorded.id, recipients: recorded.recipients });
  });
  return router;
}
