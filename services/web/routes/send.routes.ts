import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { acceptDocument, type IncomingFile } from '../../domain/documents/accept-document';
import { DomainError } from '../../domain/errors/domain-error';
import { listBooks } from '../../domain/registers/register-books';
import { incomingFileOf, safeFileName } from '../../http/parsing/submission.parser';
import { withUploads } from '../../http/parsing/upload-storage';
import { vnDay } from '../../stats/periods';
import { directory } from '../queries/directory.query';
import { allow, userOf } from '../security/access-policy';
import { composedBody } from '../send/composed-body';
import { previewPdf } from '../send/preview-pdf';
import { fieldOfDomainError, readSendForm, toMetadata, type FieldErrors, type SendFormValues } from '../send/send-form';
import { sendPage } from '../views/send.view';
import { acceptLimitsFrom } from '../../domain/documents/accept-limits';

function blankForm(): SendFormValues {
  return {
    documentType: 'CV', number: '', notation: '', issuedOn: vnDay(new Date()), place: 'Đắk Lắk', subject: '',
    signerAuthority: '', signerPosition: '', signerName: '', urgency: 'normal', dueOn: '', recipients: [],
    source: 'upload', bodyText: '', copies: 'Lưu: VT.', formKey: '',
  };
}

function uploaded(req: Request): IncomingFile | undefined {
  const f = ((req.files ?? []) as Express.Multer.File[]).find((x) => x.fieldname === 'file' && x.size > 0);
  return f ? incomingFileOf(f, safeFileName(f.originalname, 'van-ban.pdf')) : undefined;
}

export function sendRoutes(db: Db, config: Config): Router {
  const router = Router();
  const limits = acceptLimitsFrom(config);

  async function show(res: Response, values: SendFormValues, errors: FieldErrors, status = 200): Promise<void> {
    const dir = await directory(db);
    const user = userOf(res);
    const books = await listBooks(db, user.agencyCode, 'outgoing');
    res.status(status).type('html').send(sendPage(res, { values: { ...values, formKey: values.formKey || randomBytes(18).toString('base64url') }, errors, ...dir, self: user.agencyCode, canCompose: true, books }).value);
  }

  /** "Nơi nhận" lines printed on a composed document, from the chosen groups and agencies. */
  async function recipientsText(values: SendFormValues): Promise<string[]> {
    const dir = await directory(db);
    return values.recipients.map((r) => {
      const name = r.startsWith('group:') ? dir.groups.find((g) => `group:${g.id}` === r)?.name : dir.agencies.find((a) => a.code === r)?.name;
      return `- ${name ?? r};`;
    });
  }

  router.get('/send', allow('documents.send'), async (_req, res) => show(res, blankForm(), {}));

  // A preview only (marked so, no number issued, nothing stored): the document sent is rendered by the convert stage.
  router.post('/send/preview', allow('documents.send'), async (req, res) => {
    const user = userOf(res);
    const values = readSendForm(req.body as Record<string, unknown>);
    const { metadata, errors } = toMetadata({ ...values, recipients: values.recipients.length ? values.recipients : ['PREVIEW'] }, await recipientsText(values));
    if (!metadata) return show(res, values, errors, 400);
    const composed = composedBody(values.bodyText, metadata.recipientsText, values.copies);
    if (!composed.ok) return show(res, values, { [composed.field]: composed.message }, 400);
    const preview = await previewPdf(db, user.agencyCode, metadata, composed.body);
    if (!preview.ok) return show(res, values, { [preview.field]: preview.message }, 400);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="xem-truoc.pdf"`);
    res.end(preview.pdf);
  });

  router.post('/send', allow('documents.send'), async (req, res) => withUploads(req, () => send(req, res)));

  async function send(req: Request, res: Response): Promise<void> {
    const user = userOf(res);
    const values = readSendForm(req.body as Record<string, unknown>);
    const compose = values.source === 'compose';
    const { metadata, errors } = toMetadata(values, compose ? await recipientsText(values) : []);
    const file = compose ? undefined : uploaded(req);
    if (!compose && !file) errors.file = 'Hãy chọn tệp PDF của văn bản.';
    if (compose && !values.bodyText) errors.bodyText = 'Hãy soạn nội dung văn bản.';
    if (!metadata || Object.keys(errors).length) return show(res, values, errors, 400);
    // A composed document goes in as the API's structured body: the intake issues its number and
    // the convert stage renders it, as for POST /v1/documents with a "body".
    const composed = compose ? composedBody(values.bodyText, metadata.recipientsText, values.copies) : undefined;
    if (composed && !composed.ok) return show(res, values, { [composed.field]: composed.message }, 400);
    const idempotencyKey = values.formKey ? `web-${values.formKey}` : undefined;
    try {
      const accepted = await acceptDocument(
        db,
        { sender: user.agencyCode, metadata, ...(composed?.ok ? { body: composed.body } : { file }), attachments: [], idempotencyKey },
        limits,
      );
      return res.redirect(303, `/outbox/${accepted.id}?sent=1`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'INTERNAL' || err.code === 'SERVICE_UNAVAILABLE') throw err;
      const message = err.code === 'IDEMPOTENCY_KEY_REUSED' ? 'Biểu mẫu này đã được gửi. Hãy mở “Gửi văn bản” để gửi văn bản mới.' : err.message;
      return show(res, { ...values, formKey: err.code === 'IDEMPOTENCY_KEY_REUSED' ? '' : values.formKey }, { [fieldOfDomainError(err.code, err.details)]: message }, 422);
    }
  }

  return router;
}
