import { Router } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { recordAccess } from '../../domain/access/access-log.repository';
import { findDocumentFor } from '../../domain/documents/document-reads';
import { DomainError } from '../../domain/errors/domain-error';
import { NoHubSealError, hubSealIdentity } from '../../domain/receipts/hub-seal';
import { receiptsOfDocument } from '../../domain/receipts/receipt.repository';
import { exportEvidence } from '../../evidence/export-evidence';
import { ASIC_E_MIMETYPE } from '../../evidence/evidence-parts';
import { principalOf } from '../middleware/authenticate';
import { isUuid } from '../../http/route-params';

/**
 * GET /v1/documents/:id/evidence (the ASiC-E evidence bundle), GET /v1/documents/:id/receipts and
 * GET /v1/documents/:id/receipts/:eventId (the hub's signed receipts). Scoped like every document
 * read: the sender sees every copy, a recipient its own.
 */
export function evidenceRoutes(db: Db, config: Config): Router {
  const router = Router();
  const keys = { masterKey: config.masterKey, devMode: config.LIENTHONG_DEV_MODE };

  const found = async (agency: string, id: string | undefined) => {
    const f = id && isUuid(id) ? await findDocumentFor(db, agency, id) : undefined;
    if (!f) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
    return f;
  };
  const sealOrUnavailable = async () => {
    try {
      await hubSealIdentity(db, keys.masterKey, keys.devMode);
    } catch (err) {
      if (err instanceof NoHubSealError) throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Hệ thống chưa có chứng thư con dấu để ký bằng chứng (quản trị: lienthong pki hub-seal import).');
      throw err;
    }
  };

  router.get('/v1/documents/:id/evidence', async (req, res) => {
    const principal = principalOf(res);
    const { doc, asSender } = await found(principal.agencyCode, req.params.id);
    await sealOrUnavailable();
    await recordAccess(db, doc.id, { agencyCode: principal.agencyCode, actor: `key:${principal.keyId}` }, 'downloaded', 'evidence bundle');
    res.status(200).set({
      'Content-Type': ASIC_E_MIMETYPE,
      'Content-Disposition': `attachment; filename="bang-chung-${doc.id}.asice.zip"`,
      'Cache-Control': 'no-store',
    });
    await exportEvidence(db, config, doc, { agencyCode: principal.agencyCode, asSender }, res);
  });

  router.get('/v1/documents/:id/receipts', async (req, res) => {
    const principal = principalOf(res);
    const { doc, asSender } = await found(principal.agencyCode, req.params.id);
    await sealOrUnavailable();
    const receipts = await receiptsOfDocument(db, keys, doc.id, asSender ? null : principal.agencyCode);
    res.json({
      receipts: receipts.map((r) => ({
        eventId: Number(r.eventId), dispatchId: r.dispatchId, code: r.code,
        content: JSON.parse(r.content.toString('utf8')) as unknown,
        cms: r.cms.toString('base64'),
        links: { der: `/v1/documents/${doc.id}/receipts/${r.eventId}` },
      })),
    });
  });

  router.get('/v1/documents/:id/receipts/:eventId', async (req, res) => {
    const principal = principalOf(res);
    const { doc, asSender } = await found(principal.agencyCode, req.params.id);
    const eventId = Number(req.params.eventId);
    if (!Number.isSafeInteger(eventId) || eventId <= 0) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'eventId phải là số nguyên dương.', [{ path: 'eventId' }]);
    await sealOrUnavailable();
    const r = (await receiptsOfDocument(db, keys, doc.id, asSender ? null : principal.agencyCode)).find((x) => Number(x.eventId) === eventId);
    if (!r) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy biên nhận.');
    res.status(200).set({ 'Content-Type': 'application/pkcs7-mime', 'Content-Disposition': `attachment; filename="bien-nhan-${eventId}-${r.code}.p7m"` }).send(r.cms);
  });

  return router;
}
