import { Router, type Request, type Response } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { blobInfo, blobPieces } from '../../domain/blobs/blob.repository';
import { findDocumentFor } from '../../domain/documents/document.repository';
import { DomainError } from '../../domain/errors/domain-error';
import { handlingSlipPdf } from '../../domain/handling/handling-slip.pdf';
import { givenTo, loadHandling } from '../../domain/handling/handling.repository';
import {
  addNote,
  assignSpecialist,
  assignUnits,
  completeHandling,
  forwardHandling,
  returnHandling,
  submitToLeader,
  type NoteFile,
} from '../../domain/handling/incoming-flow';
import { safeFileName } from '../../http/parsing/submission.parser';
import { isUuid } from '../../http/route-params';
import { findIncoming } from '../queries/inbox.query';
import { allow, userOf } from '../security/access-policy';
import { param } from './params';

const notFound = () => new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');

function field(req: Request, name: string): string {
  const v = (req.body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v.trim() : '';
}

function fields(req: Request, name: string): string[] {
  const v = (req.body as Record<string, unknown>)[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string' && x.length > 0);
}

/** The copy's id from the path, when the signed-in user may see it (heads and specialists: only what was given to them). */
export async function visibleDispatch(db: Db, req: Request, res: Response): Promise<string> {
  const id = param(req, 'dispatchId');
  if (!isUuid(id)) throw notFound();
  const user = userOf(res);
  if ((user.role === 'unit_head' || user.role === 'specialist') && !(await givenTo(db, id, user))) throw notFound();
  return id;
}

/** The handling steps after registration (issue 20): every action redirects back to the document. */
export function handlingRoutes(db: Db): Router {
  const router = Router();
  const back = (res: Response, id: string, done: string) => res.redirect(303, `/inbox/${id}?done=${done}`);

  router.post('/inbox/:dispatchId/submit', allow('documents.submit'), async (req, res) => {
    const id = await visibleDispatch(db, req, res);
    await submitToLeader(db, userOf(res), id, field(req, 'note'));
    back(res, id, 'submit');
  });

  router.post('/inbox/:dispatchId/assign', allow('documents.assign'), async (req, res) => {
    const id = await visibleDispatch(db, req, res);
    const lead = field(req, 'lead');
    const [kind, leadId] = lead.split(':');
    await assignUnits(db, userOf(res), id, {
      leadDepartmentId: kind === 'dept' ? leadId ?? null : null,
      leadUserId: kind === 'user' ? leadId ?? null : null,
      supportDepartmentIds: fields(req, 'support'),
      deadlineOn: field(req, 'deadlineOn') || null,
      instruction: field(req, 'instruction') || null,
    });
    back(res, id, 'assign');
  });

  router.post('/inbox/:dispatchId/assign-person', allow('documents.assign_person'), async (req, res) => {
    const id = await visibleDispatch(db, req, res);
    await assignSpecialist(db, userOf(res), id, field(req, 'userId'), field(req, 'note'));
    back(res, id, 'assign_person');
  });

  router.post('/inbox/:dispatchId/note', allow('documents.process'), async (req, res) => {
    const id = await visibleDispatch(db, req, res);
    const f = ((req.files ?? []) as Express.Multer.File[]).find((x) => x.fieldname === 'file' && x.size > 0);
    const file: NoteFile | undefined = f
      ? { name: safeFileName(f.originalname, 'tep-dinh-kem'), contentType: f.mimetype || 'application/octet-stream', ...(f.path ? { path: f.path } : { bytes: f.buffer }) }
      : undefined;
    await addNote(db, userOf(res), id, field(req, 'note'), file);
    back(res, id, 'note');
  });

  router.post('/inbox/:dispatchId/complete', allow('documents.process'), async (req, res) => {
    const id = await visibleDispatch(db, req, res);
    await completeHandling(db, userOf(res), id, field(req, 'result'));
    back(res, id, 'complete');
  });

  router.post('/inbox/:dispatchId/return', allow('documents.process'), async (req, res) => {
    const id = await visibleDispatch(db, req, res);
    await returnHandling(db, userOf(res), id, field(req, 'reason'));
    res.redirect(303, `/inbox?done=return`);
  });

  router.post('/inbox/:dispatchId/forward', allow('documents.process'), async (req, res) => {
    const id = await visibleDispatch(db, req, res);
    await forwardHandling(db, userOf(res), id, field(req, 'departmentId'), field(req, 'reason'));
    res.redirect(303, `/inbox?done=forward`);
  });

  router.get('/inbox/:dispatchId/step-files/:stepId', allow('documents.read'), async (req, res) => {
    const id = await visibleDispatch(db, req, res);
    const stepId = Number(param(req, 'stepId'));
    if (!Number.isSafeInteger(stepId)) throw notFound();
    const r = await db.query<{ sha: string; name: string | null }>(
      `SELECT s.file_sha256 AS sha, s.file_name AS name FROM incoming_steps s JOIN incoming_handling h ON h.dispatch_id = s.dispatch_id
        WHERE s.id = $1 AND s.dispatch_id = $2 AND h.agency_code = $3 AND s.file_sha256 IS NOT NULL`,
      [stepId, id, userOf(res).agencyCode],
    );
    const f = r.rows[0];
    if (!f) throw notFound();
    const info = await blobInfo(db, f.sha);
    res.setHeader('Content-Type', info.contentType);
    res.setHeader('Content-Length', String(info.size));
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.name ?? 'tep')}`);
    for await (const piece of blobPieces(db, f.sha)) res.write(piece);
    res.end();
  });

  router.get('/inbox/:dispatchId/phieu-giai-quyet.pdf', allow('documents.read'), async (req, res) => {
    const id = await visibleDispatch(db, req, res);
    const user = userOf(res);
    const row = await findIncoming(db, user.agencyCode, id);
    const handling = row ? await loadHandling(db, user.agencyCode, id) : undefined;
    const found = row ? await findDocumentFor(db, user.agencyCode, row.documentId) : undefined;
    if (!row || !handling || !found) throw notFound();
    const agency = await db.query<{ parent: string | null }>(`SELECT p.name AS parent FROM agencies a LEFT JOIN agencies p ON p.code = a.parent_code WHERE a.code = $1`, [user.agencyCode]);
    const pdf = await handlingSlipPdf({
      agencyName: user.agencyName,
      parentName: agency.rows[0]?.parent ?? null,
      incomingNumber: row.incomingNumber,
      arrivedAt: row.deliveredAt,
      sender: row.senderName,
      number: row.number,
      notation: row.notation,
      issuedOn: row.issuedOn,
      subject: row.subject,
      urgency: row.urgency,
      handling,
      printedAt: new Date(),
    });
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="phieu-giai-quyet-${row.incomingNumber ?? 'van-ban-den'}.pdf"`);
    res.setHeader('Cache-Control', 'no-store');
    res.end(pdf);
  });

  return router;
}
