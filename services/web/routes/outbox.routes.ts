import { param } from './params';
import { Router } from 'express';
import { ErrorCode, RevokeBody } from '../../../contracts';
import { inTransaction, type Db } from '../../db/pool';
import { findAgencies } from '../../domain/agencies/agency.repository';
import { listFiles } from '../../domain/blobs/blob.repository';
import { dispatchViews } from '../../domain/dispatches/dispatch.repository';
import { findSentDispatch, pushAttemptPage, recentPushAttemptsOfDocument } from '../../domain/dispatches/push-attempts.repository';
import { findDocumentFor } from '../../domain/documents/document-reads';
import { listOutbox } from '../../domain/documents/outbox-list';
import { recentNotices } from '../../domain/notices/agency-notices';
import { revokeDocument } from '../../domain/documents/revoke-document';
import { DomainError } from '../../domain/errors/domain-error';
import { isUuid } from '../../http/route-params';
import { allow, userOf } from '../security/access-policy';
import { dispatchTimelines, outboxPage, outboxRow, sentPage } from '../views/outbox.view';
import { sentFiles, sentPdf } from '../views/sent-pdf.view';
import { DOCUMENT_STATUS_LABELS } from '../../labels/labels';
import { searchAll } from '../../domain/search/search-all';
import { webListQuery } from './list-query';
import { documentAccess, recordAccess } from '../../domain/access/access-log.repository';
import { documentListTable, sendTable } from './send-export';
import { attemptsPage } from '../views/attempts.view';
import { webPageRequest } from './page-request';

/** The push attempts shown per copy on the sender's document page (newest first; the API pages through all). */
const ATTEMPTS_SHOWN = 20;

export function outboxRoutes(db: Db): Router {
  const router = Router();

  router.get('/outbox', allow('documents.send'), async (req, res) => {
    const l = webListQuery(req);
    const agency = userOf(res).agencyCode;
    const [page, notices] = await Promise.all([listOutbox(db, agency, { limit: l.limit, cursor: l.query.cursor, last: l.query.page === 'last' }), recentNotices(db, agency)]);
    res.type('html').send(outboxPage(res, page, l.limit, notices).value);
  });

  router.get('/outbox/export.:format', allow('documents.send'), async (req, res) => {
    const format = param(req, 'format');
    if (format !== 'xlsx' && format !== 'csv') throw new DomainError(ErrorCode.NOT_FOUND, 'Không có định dạng này.');
    const l = webListQuery(req, { box: 'out' });
    const { rows, total } = await searchAll(db, userOf(res).agencyCode, l.query);
    await sendTable(res, format, documentListTable('Văn bản đi', rows, total), 'van-ban-di');
  });

  router.get('/outbox/:id', allow('documents.send'), async (req, res) => {
    const agency = userOf(res).agencyCode;
    const found = isUuid(param(req, "id")) ? await findDocumentFor(db, agency, param(req, "id")) : undefined;
    // Only the sender's own documents here; a recipient reads its copy in the inbox.
    if (!found?.asSender) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
    const dispatches = await dispatchViews(db, found.doc.id, null, agency);
    const names = new Map((await findAgencies(db, dispatches.map((x) => x.recipient))).map((a) => [a.code, a.name]));
    const files = await listFiles(db, found.doc.id);
    const attempts = await recentPushAttemptsOfDocument(db, found.doc.id, ATTEMPTS_SHOWN);
    const flash =
      req.query.sent ? { kind: 'ok' as const, text: `Đã nhận văn bản số ${found.doc.number}/${found.doc.notation}; hệ thống đang ký số và chuyển tới ${dispatches.length} nơi nhận.` }
      : req.query.revoked ? { kind: 'ok' as const, text: 'Đã thu hồi văn bản.' } : undefined;
    await recordAccess(db, found.doc.id, { agencyCode: agency, actor: `user:${userOf(res).username}` }, 'opened');
    const access = await documentAccess(db, found.doc.id, agency);
    res.type('html').send(sentPage(res, { doc: found.doc, dispatches, names, files, flash, access, attempts }).value);
  });

  // Live refresh (app.js, on a server event of this document): the fields the page shows, re-rendered
  // by the server — channel, state, attempts, last error and timeline of every copy; or one list row.
  router.get('/outbox/:id/live', allow('documents.send'), async (req, res) => {
    const agency = userOf(res).agencyCode;
    const found = isUuid(param(req, 'id')) ? await findDocumentFor(db, agency, param(req, 'id')) : undefined;
    if (!found?.asSender) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
    const dispatches = await dispatchViews(db, found.doc.id, null, agency);
    const names = new Map((await findAgencies(db, dispatches.map((x) => x.recipient))).map((a) => [a.code, a.name]));
    const row = (await listOutbox(db, agency, { limit: 1 }, found.doc.id)).items[0];
    const files = await listFiles(db, found.doc.id);
    const attempts = await recentPushAttemptsOfDocument(db, found.doc.id, ATTEMPTS_SHOWN);
    res.set('Cache-Control', 'no-store').json({
      documentStatus: DOCUMENT_STATUS_LABELS[found.doc.status] ?? found.doc.status,
      lastError: found.doc.lastError ?? null,
      dispatches: dispatchTimelines({ doc: found.doc, dispatches, names, attempts }).value,
      row: row ? outboxRow(row).value : null,
      // The document's PDF and files: a composed document's PDF exists only once the convert stage has run.
      files: sentFiles(found.doc.id, files).value,
      pdf: sentPdf(found.doc, files).value,
      pdfRole: files.find((f) => f.role === 'signed')?.role ?? files.find((f) => f.role === 'canonical')?.role ?? null,
    });
  });

  // Every attempt of one push (relay, axis) copy, in pages: the document page shows the newest 20.
  // The sender's own documents only; anything else is the same 404 as an unknown document.
  router.get('/outbox/:id/dispatches/:dispatchId/attempts', allow('documents.send'), async (req, res) => {
    const agency = userOf(res).agencyCode;
    const id = param(req, 'id');
    const dispatchId = param(req, 'dispatchId');
    const paging = webPageRequest(req);
    const dispatch = isUuid(id) && isUuid(dispatchId) ? await findSentDispatch(db, agency, id, dispatchId) : undefined;
    const found = dispatch ? await findDocumentFor(db, agency, id) : undefined;
    if (!dispatch || !found?.asSender) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy bản gửi.');
    const [attempts, names] = await Promise.all([pushAttemptPage(db, dispatch.id, paging), findAgencies(db, [dispatch.recipient])]);
    res.type('html').send(
      attemptsPage(res, {
        documentId: found.doc.id,
        dispatchId: dispatch.id,
        numberNotation: `${found.doc.number}/${found.doc.notation}`,
        recipientName: names[0]?.name ?? dispatch.recipient,
        recipientCode: dispatch.recipient,
        channel: dispatch.channel,
        attempts,
        limit: paging.limit,
      }).value,
    );
  });

  router.post('/outbox/:id/revoke', allow('documents.send'), async (req, res) => {
    const user = userOf(res);
    const body = RevokeBody.safeParse({ reason: String((req.body as Record<string, unknown>).reason ?? '').trim() });
    if (!body.success) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Thu hồi văn bản phải ghi lý do.');
    if (!isUuid(param(req, "id"))) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
    await inTransaction(db, (tx) => revokeDocument(tx, user.agencyCode, param(req, "id"), body.data.reason, `user:${user.username}`));
    res.redirect(303, `/outbox/${param(req, "id")}?revoked=1`);
  });

  return router;
}
