import { Router } from 'express';
import express from 'express';
import { ErrorCode, RevokeBody, StatusBody } from '../../../contracts';
import { inTransaction, type Db } from '../../db/pool';
import { recordStatus } from '../../domain/dispatches/record-status';
import { revokeDocument } from '../../domain/documents/revoke-document';
import { DomainError } from '../../domain/errors/domain-error';
import { principalOf } from '../middleware/authenticate';
import { validationError } from '../../http/parsing/submission.parser';
import { isUuid } from '../../http/route-params';

/** Statuses after delivery: the recipient's answers (01–06, 15, 16), the sender's 13 and revoke. */
export function statusesRoutes(db: Db): Router {
  const router = Router();
  const json = express.json({ limit: '64kb', type: () => true });

  router.post('/v1/inbox/:dispatchId/status', json, async (req, res) => {
    const principal = principalOf(res);
    const body = StatusBody.safeParse(req.body);
    if (!body.success) throw validationError(body.error, 'body');
    if (!isUuid(req.params.dispatchId)) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy bản gửi (dispatch).');
    if (body.data.register && body.data.code !== '03') {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Chỉ trạng thái 03 (vào sổ) mới có thông tin register.', [{ path: ['body', 'register'] }]);
    }
    const result = await recordStatus(db, {
      actingAgency: principal.agencyCode,
      dispatchId: req.params.dispatchId,
      code: body.data.code,
      note: body.data.note,
      actor: `apikey:${principal.keyId}`,
      ...(body.data.register ? { register: body.data.register } : {}),
    });
    res.json(result);
  });

  router.post('/v1/documents/:id/revoke', json, async (req, res) => {
    const principal = principalOf(res);
    const body = RevokeBody.safeParse(req.body);
    if (!body.success) throw validationError(body.error, 'body');
    if (!isUuid(req.params.id)) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
    const result = await inTransaction(db, (tx) => revokeDocument(tx, principal.agencyCode, req.params.id!, body.data.reason, `apikey:${principal.keyId}`));
    res.json(result);
  });

  return router;
}
