import { Router } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { blobInfo } from '../../domain/blobs/blob.repository';
import { DomainError } from '../../domain/errors/domain-error';
import { findPacketForSender } from '../../paper-packet/packet.repository';
import { principalOf } from '../middleware/authenticate';
import { isUuid } from '../../http/route-params';
import { sendBlob } from '../../http/send-blob';

/** The print-ready packet of a paper dispatch, for the sending agency's clerk only. */
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
  return router;
}
