import { param } from './params';
import { Router } from 'express';
import { ErrorCode, FileRole, RECIPIENT_FILE_ROLE } from '../../../contracts';
import type { Db } from '../../db/pool';
import { listFiles } from '../../domain/blobs/blob.repository';
import { DomainError } from '../../domain/errors/domain-error';
import { sendBlob } from '../../http/send-blob';
import { allow, readableDocument, userOf } from '../security/access-policy';
import { recordAccess } from '../../domain/access/access-log.repository';

/**
 * A document's files for the signed-in user, scoped as the API is (findDocumentFor): a recipient
 * sees the signed PDF and attachments, the sender every file. Heads and specialists read only the
 * copies given to their unit or to them (readableDocument; as recipients, never a sent document's
 * files): anything else is 404 as on /inbox/:id. Inline by default, so the PDF shows in the page's frame.
 */
export function filesRoutes(db: Db): Router {
  const router = Router();
  router.get('/documents/:id/files/:role', allow('documents.read'), async (req, res) => {
    const agency = userOf(res).agencyCode;
    const found = await readableDocument(db, res, param(req, 'id'));
    const role = param(req, "role");
    const visible = found && FileRole.safeParse(role).success && (found.asSender || RECIPIENT_FILE_ROLE.test(role));
    const file = visible ? (await listFiles(db, found.doc.id)).find((f) => f.role === role) : undefined;
    if (!file) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy tệp.');
    const name = file.name ?? `${role}.pdf`;
    const disposition = req.query.download || file.contentType !== 'application/pdf' ? 'attachment' : 'inline';
    // Viewing in the page is part of opening it (recorded there); a download is its own access.
    if (disposition === 'attachment') {
      await recordAccess(db, found!.doc.id, { agencyCode: agency, actor: `user:${userOf(res).username}` }, 'downloaded', name);
    }
    await sendBlob(db, res, file, {
      'Content-Type': file.contentType,
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': `${disposition}; filename*=UTF-8''${encodeURIComponent(name)}`,
    });
  });
  return router;
}
