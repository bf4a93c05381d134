import { Router } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { recordAccess } from '../../domain/access/access-log.repository';
import { getBlob, listFiles } from '../../domain/blobs/blob.repository';
import { DomainError } from '../../domain/errors/domain-error';
import { printedCopy } from '../../reports/printed-copy';
import { contentDisposition } from '../../export/table-export';
import { allow, readableDocument, userOf } from '../security/access-policy';
import { instantVi } from '../../labels/labels';
import { param } from './params';

/**
 * A printed copy of a document (the signed PDF, else the canonical one for its sender) footed with who
 * printed it and when; heads and specialists print only the copies given to them (readableDocument).
 */
export function printRoutes(db: Db): Router {
  const router = Router();
  router.get('/documents/:id/print', allow('documents.read'), async (req, res) => {
    const user = userOf(res);
    const found = await readableDocument(db, res, param(req, 'id'));
    const files = found ? await listFiles(db, found.doc.id) : [];
    const file = files.find((f) => f.role === 'signed') ?? (found?.asSender ? files.find((f) => f.role === 'canonical') : undefined);
    if (!found || !file) throw new DomainError(ErrorCode.NOT_FOUND, 'Văn bản chưa có bản để in.');
    const at = new Date();
    const line = `Bản in từ hệ thống Liên Thông — in bởi ${user.fullName ?? user.username} (${user.agencyName}) lúc ${instantVi(at)}`;
    const pdf = await printedCopy(await getBlob(db, file.sha256), line);
    await recordAccess(db, found.doc.id, { agencyCode: user.agencyCode, actor: `user:${user.username}` }, 'printed', `Bản in lúc ${instantVi(at)}`);
    res.setHeader('Content-Disposition', contentDisposition(`ban-in-${found.doc.number}-${found.doc.notation}.pdf`.replace(/\//g, '-')).replace(/^attachment/, 'inline'));
    res.type('application/pdf').send(pdf);
  });
  return router;
}
