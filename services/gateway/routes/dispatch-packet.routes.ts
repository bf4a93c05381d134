import { Router } from 'express';
import { ErrorCode, type DispatchAttemptPage } from '../../../contracts';
import type { Db } from '../../db/pool';
import { blobInfo } from '../../domain/blobs/blob.repository';
import { findSentDispatch, pushAttemptPage } from '../../domain/dispatches/push-attempts.repository';
import { DomainError } from '../../domain/errors/domain-error';
import { findPacketForSender } from '../../paper-packet/packet.repository';
import { principalOf } from '../middleware/authenticate';
import { isUuid } from '../../http/route-params';
import { sendBlob } from '../../http/send-blob';
import { pageQueryOf } from './page-query';

/**
 * One dispatch of a sent document, for the sending agency's keys only: the print-ready packet of a
 * paper dispatch, and the history of a push dispatch's attempts.
 */
export function dispatchPacketRoutes(db: Db): Router {
  const router = Router();
  router.get('/v1/documents/:id/dispatches/:dispatchId/packet', async (req, res) => {
    const principal = principalOf(res);
    const { id, dispatchId } = req.params;
    // Not the sender, no such dispatch, not a paper dispatch: all the same 404, so nothing leaks.
    const packet = isUuid(id) && isUuid(dispatchId) ? await findPacketForSender(db, principal.agencyCode, id, dispatchId) : undefined;
    if (!packet) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy bộ hồ sơ gửi giấy.');
    const blob = await blobInfo(db, packet.sha256);
    await sendBlob(db, res, blob, {
      'Content-Type': 'application/pdf',
      ETag: `"${packet.sha256}"`,
      'Content-Disposition': `attachment; filename="phieu-gui-${dispatchId}.pdf"`,
    });
  });

  // The push attempts of a copy, newest first, keyset pages like the inbox. Sender only: the
  // recipient reads a document only once it is delivered (findDocumentFor), while most attempts
  // come before that, of a document it does not have yet (or never will: revoked); not the sender,
  // no such dispatch: the same 404 as the packet. A relay or axis copy has its attempts to the peer hub
  // or the axis; a hosted or paper copy has none.
  router.get('/v1/documents/:id/dispatches/:dispatchId/attempts', async (req, res) => {
    const principal = principalOf(res);
    const paging = pageQueryOf(req);
    const { id, dispatchId } = req.params;
    const dispatch = isUuid(id) && isUuid(dispatchId) ? await findSentDispatch(db, principal.agencyCode, id, dispatchId) : undefined;
    if (!dispatch) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy bản gửi.');
    const body: DispatchAttemptPage = await pushAttemptPage(db, dispatch.id, paging);
    res.json(body);
  });
  return router;
}
