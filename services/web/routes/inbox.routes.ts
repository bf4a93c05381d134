import { param } from './params';
import { Router, type Response } from 'express';
import { ErrorCode, StatusBody } from '../../../contracts';
import type { Db } from '../../db/pool';
import { listFiles } from '../../domain/blobs/blob.repository';
import { dispatchViews } from '../../domain/dispatches/dispatch.repository';
import { recordStatus } from '../../domain/dispatches/record-status';
import { findDocumentFor, loadDocument } from '../../domain/documents/document-reads';
import { DomainError } from '../../domain/errors/domain-error';
import { isUuid } from '../../http/route-params';
import { findIncoming } from '../queries/inbox.query';
import { searchDocuments } from '../../domain/search/document-search';
import { searchAll } from '../../domain/search/search-all';
import { webListQuery } from './list-query';
import { documentAccess, recordAccess } from '../../domain/access/access-log.repository';
import { listBooks, registrationOf } from '../../domain/registers/register-books';
import { documentListTable, sendTable } from './send-export';
import { loadHandling } from '../../domain/handling/handling.repository';
import { listDepartments } from '../../domain/users/department.repository';
import { listUsers } from '../../domain/users/user.repository';
import { visibleDispatch } from './handling.routes';
import { allow, can, readerOf, userOf } from '../security/access-policy';
import { inboxPage } from '../views/inbox.view';
import { incomingPage } from '../views/incoming.view';
import { EVENT_CODE_LABELS } from '../../labels/labels';

/** Statuses the văn thư posts here; assignment and processing go through the handling steps (handling.routes.ts). */
const RECIPIENT_CODES = ['02', '03', '04', '15', '16'] as const;

export function inboxRoutes(db: Db): Router {
  const router = Router();

  router.get('/inbox', allow('documents.read'), async (req, res) => {
    const l = webListQuery(req, { box: 'in' });
    const p = await searchDocuments(db, userOf(res).agencyCode, l.query, readerOf(res));
    res.type('html').send(inboxPage(res, p, l.filters, l.limit).value);
  });

  router.get('/inbox/export.:format', allow('documents.read'), async (req, res) => {
    const format = param(req, 'format');
    if (format !== 'xlsx' && format !== 'csv') throw new DomainError(ErrorCode.NOT_FOUND, 'Không có định dạng này.');
    const l = webListQuery(req, { box: 'in' });
    const { rows, total } = await searchAll(db, userOf(res).agencyCode, l.query, readerOf(res));
    await sendTable(res, format, documentListTable('Văn bản đến', rows, total), 'van-ban-den');
  });

  router.get('/inbox/:dispatchId', allow('documents.read'), async (req, res) => {
    const agency = userOf(res).agencyCode;
    const visible = await visibleDispatch(db, req, res);
    const row = await findIncoming(db, agency, visible);
    // A revoked copy stays readable as a record ("Đã thu hồi", reason, time); its files are withdrawn.
    const revoked = row?.status === 'revoked';
    const found = row ? (revoked ? await loadDocument(db, row.documentId).then((doc) => doc && { doc }) : await findDocumentFor(db, agency, row.documentId)) : undefined;
    if (!row || !found) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
    const files = revoked ? [] : (await listFiles(db, row.documentId)).filter((f) => f.role === 'signed' || f.role.startsWith('attachment-'));
    const copy = (await dispatchViews(db, row.documentId, agency, agency))[0];
    await recordAccess(db, row.documentId, { agencyCode: agency, actor: `user:${userOf(res).username}` }, 'opened');
    const [books, registration, access, handling, departments, people] = await Promise.all([
      listBooks(db, agency, 'incoming'),
      registrationOf(db, row.dispatchId),
      documentAccess(db, row.documentId, agency),
      loadHandling(db, agency, row.dispatchId),
      listDepartments(db, agency, true),
      listUsers(db, agency),
    ]);
    res.type('html').send(
      incomingPage(res, {
        row, doc: found.doc, copy, files, pendingTakeBack: row.pendingRequest === 'takeback', flash: flashOf(req.query.done, row.incomingNumber),
        books, registration, access, handling, departments, people: people.filter((p) => !p.disabled),
      }).value,
    );
  });

  router.post('/inbox/:dispatchId/status', allow('documents.status'), async (req, res) => {
    const user = userOf(res);
    const body = req.body as Record<string, unknown>;
    const code = String(body.code ?? '');
    const note = typeof body.note === 'string' ? body.note.trim() : '';
    const department = typeof body.department === 'string' ? body.department.trim() : '';
    if (!isUuid(param(req, "dispatchId"))) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
    if (!(RECIPIENT_CODES as readonly string[]).includes(code)) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Thao tác không hợp lệ.');
    if (code === '04' && !can(user, 'documents.assign')) throw new DomainError(ErrorCode.FORBIDDEN, 'Chỉ lãnh đạo được phân công.');
    if (code === '04' && !department) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Hãy ghi phòng, đơn vị được giao xử lý.');
    if (code === '02' && !note) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Từ chối văn bản phải ghi lý do.');
    const fullNote = code === '04' ? `Giao ${department}${note ? `: ${note}` : ''}` : note || null;
    const parsed = StatusBody.safeParse({ code, note: fullNote ? fullNote.slice(0, 2000) : null });
    if (!parsed.success) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Ghi chú quá dài.');
    await recordStatus(db, {
      actingAgency: user.agencyCode,
      dispatchId: param(req, "dispatchId"),
      code: parsed.data.code,
      note: parsed.data.note,
      actor: `user:${user.username}`,
      register: code === '03' ? { bookId: stringOr(body.registerBook), registeredOn: stringOr(body.registeredOn) } : undefined,
    });
    res.redirect(303, `/inbox/${param(req, "dispatchId")}?done=${code}`);
  });

  return router;
}

function stringOr(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

const STEP_FLASH: Record<string, string> = {
  submit: 'Đã trình lãnh đạo.',
  assign: 'Đã phân công xử lý.',
  assign_person: 'Đã giao chuyên viên xử lý.',
  note: 'Đã ghi nhận ý kiến xử lý.',
  complete: 'Đã hoàn thành xử lý văn bản.',
};

function flashOf(done: unknown, incomingNumber: string | null): { kind: 'ok'; text: string } | undefined {
  if (typeof done === 'string' && STEP_FLASH[done]) return { kind: 'ok', text: STEP_FLASH[done] };
  if (typeof done !== 'string' || !EVENT_CODE_LABELS[done]) return undefined;
  if (done === '03') return { kind: 'ok', text: `Đã tiếp nhận và vào sổ văn bản đến: số đến ${incomingNumber ?? ''}.` };
  return { kind: 'ok', text: `Đã ghi nhận: ${EVENT_CODE_LABELS[done]}.` };
}
