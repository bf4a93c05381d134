import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { getBlob, putBlob, putBlobFromFile } from '../../domain/blobs/blob.repository';
import { acceptDocument } from '../../domain/documents/accept-document';
import { approveDraft, createDraft, draftsFor, findDraftFor, issueDraft, resubmitDraft, returnDraft } from '../../domain/drafts/outgoing-draft';
import { DomainError } from '../../domain/errors/domain-error';
import { safeFileName } from '../../http/parsing/submission.parser';
import { withUploads } from '../../http/parsing/upload-storage';
import { isUuid } from '../../http/route-params';
import { vnDay } from '../../stats/periods';
import { directory } from '../queries/directory.query';
import { allow, can, userOf } from '../security/access-policy';
import { composedBody } from '../send/composed-body';
import { previewPdf } from '../send/preview-pdf';
import { readSendForm, toMetadata, type FieldErrors, type SendFormValues } from '../send/send-form';
import { draftListPage, draftPage } from '../views/drafts.view';
import { sendPage } from '../views/send.view';
import { param } from './params';
import { acceptLimitsFrom } from '../../domain/documents/accept-limits';

/**
 * Approval before sending (issue 20): a chuyên viên drafts (upload or composed), the unit head then
 * the leader approve or return with comments, the văn thư numbers and sends. The API keeps
 * sending directly (agency systems do their own approval).
 */
/** Whether an uploaded file begins as a PDF does (`%PDF-`), read from memory or its temporary file. */
function startsAsPdf(f: Express.Multer.File): boolean {
  let head: Buffer;
  if (f.path) {
    const fd = fs.openSync(f.path, 'r');
    try {
      head = Buffer.alloc(5);
      fs.readSync(fd, head, 0, 5, 0);
    } finally {
      fs.closeSync(fd);
    }
  } else head = f.buffer.subarray(0, 5);
  return head.toString('latin1') === '%PDF-';
}

export function draftsRoutes(db: Db, config: Config): Router {
  const router = Router();
  // The same limits as every other channel: an issued draft's signed PDF is checked against the trust store too.
  const limits = acceptLimitsFrom(config);

  async function recipientsText(values: SendFormValues): Promise<string[]> {
    const dir = await directory(db);
    return values.recipients.map((r) => {
      const name = r.startsWith('group:') ? dir.groups.find((g) => `group:${g.id}` === r)?.name : dir.agencies.find((a) => a.code === r)?.name;
      return `- ${name ?? r};`;
    });
  }

  async function showForm(res: Response, values: SendFormValues, errors: FieldErrors, status = 200): Promise<void> {
    const dir = await directory(db);
    res.status(status).type('html').send(sendPage(res, { values: { ...values, formKey: values.formKey || randomBytes(18).toString('base64url') }, errors, ...dir, self: userOf(res).agencyCode, canCompose: true, mode: 'draft' }).value);
  }

  const draftId = (req: Request) => {
    const id = param(req, 'id');
    if (!isUuid(id)) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy dự thảo.');
    return id;
  };

  router.get('/drafts', allow('documents.read'), async (req, res) => {
    res.type('html').send(draftListPage(res, await draftsFor(db, userOf(res)), typeof req.query.done === 'string' ? req.query.done : undefined).value);
  });

  router.get('/drafts/new', allow('drafts.write'), async (_req, res) =>
    showForm(res, { documentType: 'CV', number: '', notation: '', issuedOn: vnDay(new Date()), place: 'Đắk Lắk', subject: '', signerAuthority: '', signerPosition: '', signerName: '', urgency: 'normal', dueOn: '', recipients: [], source: 'compose', bodyText: '', copies: 'Lưu: VT.', formKey: '' }, {}),
  );

  router.post('/drafts/preview', allow('drafts.write'), async (req, res) => {
    const values = readSendForm(req.body as Record<string, unknown>);
    const { metadata, errors } = toMetadata({ ...values, recipients: values.recipients.length ? values.recipients : ['PREVIEW'] }, await recipientsText(values));
    if (!metadata) return showForm(res, values, errors, 400);
    const composed = composedBody(values.bodyText, metadata.recipientsText, values.copies);
    if (!composed.ok) return showForm(res, values, { [composed.field]: composed.message }, 400);
    const preview = await previewPdf(db, userOf(res).agencyCode, metadata, composed.body);
    if (!preview.ok) return showForm(res, values, { [preview.field]: preview.message }, 400);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="xem-truoc.pdf"`);
    res.end(preview.pdf);
  });

  router.post('/drafts', allow('drafts.write'), async (req, res) =>
    withUploads(req, async () => {
      const values = readSendForm(req.body as Record<string, unknown>);
      const compose = values.source === 'compose';
      const { metadata, errors } = toMetadata({ ...values, number: '' }, compose ? await recipientsText(values) : []);
      const f = ((req.files ?? []) as Express.Multer.File[]).find((x) => x.fieldname === 'file' && x.size > 0);
      if (!compose && !f) errors.file = 'Hãy chọn tệp PDF của văn bản.';
      // Kept as the PDF the approvers read and the văn thư sends: refused now if it is not one, not at issue.
      else if (!compose && f && !startsAsPdf(f)) errors.file = 'Tệp dự thảo phải là tệp PDF (tệp này không phải PDF).';
      if (compose && !values.bodyText) errors.bodyText = 'Hãy soạn nội dung văn bản.';
      if (!metadata || Object.keys(errors).length) return showForm(res, values, errors, 400);
      const blob = f ? (f.path ? await putBlobFromFile(db, f.path, 'application/pdf') : await putBlob(db, f.buffer, 'application/pdf')) : undefined;
      const id = await createDraft(db, userOf(res), { ...values, number: '' }, blob ? { sha256: blob.sha256, name: safeFileName(f!.originalname, 'van-ban.pdf') } : undefined);
      res.redirect(303, `/drafts/${id}?done=submit`);
    }),
  );

  router.get('/drafts/:id', allow('documents.read'), async (req, res) => {
    const d = await findDraftFor(db, userOf(res), draftId(req));
    if (!d) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy dự thảo.');
    res.type('html').send(draftPage(res, d, typeof req.query.done === 'string' ? req.query.done : undefined).value);
  });

  router.get('/drafts/:id/preview.pdf', allow('documents.read'), async (req, res) => {
    const d = await findDraftFor(db, userOf(res), draftId(req));
    if (!d) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy dự thảo.');
    if (d.fileSha256) return void res.type('application/pdf').end(await getBlob(db, d.fileSha256));
    const values = d.form as unknown as SendFormValues;
    const { metadata } = toMetadata(values, await recipientsText(values));
    if (!metadata) throw new DomainError(ErrorCode.CONFLICT, 'Dự thảo thiếu thông tin.');
    const composed = composedBody(values.bodyText, metadata.recipientsText, values.copies);
    if (!composed.ok) throw new DomainError(ErrorCode.CONFLICT, composed.message);
    const preview = await previewPdf(db, userOf(res).agencyCode, metadata, composed.body);
    if (!preview.ok) throw new DomainError(ErrorCode.CONFLICT, preview.message);
    res.type('application/pdf').setHeader('Content-Disposition', `inline; filename="xem-truoc.pdf"`);
    res.end(preview.pdf);
  });

  router.post('/drafts/:id/approve', allow('drafts.approve'), async (req, res) => {
    const id = draftId(req);
    await approveDraft(db, userOf(res), id, String((req.body as Record<string, unknown>).comment ?? ''));
    res.redirect(303, `/drafts/${id}?done=approve`);
  });

  router.post('/drafts/:id/return', allow('drafts.approve'), async (req, res) => {
    const id = draftId(req);
    await returnDraft(db, userOf(res), id, String((req.body as Record<string, unknown>).comment ?? ''));
    res.redirect(303, `/drafts/${id}?done=return`);
  });

  router.post('/drafts/:id/resubmit', allow('drafts.write'), async (req, res) =>
    withUploads(req, async () => {
      const id = draftId(req);
      const b = req.body as Record<string, unknown>;
      // An uploaded draft may come back with a corrected PDF.
      const f = ((req.files ?? []) as Express.Multer.File[]).find((x) => x.fieldname === 'file' && x.size > 0);
      if (f && !startsAsPdf(f)) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Tệp dự thảo phải là tệp PDF (tệp này không phải PDF).', [{ path: 'file' }]);
      const blob = f ? (f.path ? await putBlobFromFile(db, f.path, 'application/pdf') : await putBlob(db, f.buffer, 'application/pdf')) : undefined;
      const file = blob ? { sha256: blob.sha256, name: safeFileName(f!.originalname, 'van-ban.pdf') } : undefined;
      await resubmitDraft(db, userOf(res), id, typeof b.bodyText === 'string' && b.bodyText.trim() ? b.bodyText : null, String(b.comment ?? ''), file);
      res.redirect(303, `/drafts/${id}?done=resubmit`);
    }),
  );

  router.post('/drafts/:id/issue', allow('documents.send'), async (req, res) => {
    const id = draftId(req);
    const user = userOf(res);
    const documentId = await issueDraft(db, user, id, async (form, file) => {
      const values = form as unknown as SendFormValues;
      const compose = values.source === 'compose';
      const { metadata, errors } = toMetadata(values, compose ? await recipientsText(values) : []);
      if (!metadata) throw new DomainError(ErrorCode.VALIDATION_FAILED, Object.values(errors)[0] ?? 'Dự thảo thiếu thông tin.');
      // A composed draft goes in as the API's structured body: the intake issues the number (in the
      // same register as every other channel) and the convert stage renders it with that number.
      const composed = compose ? composedBody(values.bodyText, metadata.recipientsText, values.copies) : undefined;
      if (composed && !composed.ok) throw new DomainError(ErrorCode.VALIDATION_FAILED, composed.message, [{ path: 'bodyText' }]);
      if (!composed && !file) throw new DomainError(ErrorCode.CONFLICT, 'Dự thảo không có tệp văn bản.');
      const content = composed?.ok ? { body: composed.body } : { file: { name: file!.name, declaredType: 'application/pdf', bytes: await getBlob(db, file!.sha256) } };
      const accepted = await acceptDocument(db, { sender: user.agencyCode, metadata, ...content, attachments: [], idempotencyKey: `draft-${id}` }, limits);
      return accepted.id;
    });
    res.redirect(303, can(user, 'documents.send') ? `/outbox/${documentId}?sent=1` : `/drafts/${id}`);
  });

  return router;
}
