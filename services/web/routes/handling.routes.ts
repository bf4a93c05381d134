import { Router, type Request, type Response } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { blobInfo, blobPieces } from '../../domain/blobs/blob.repository';
import { findDocumentFor } from '../../domain/documents/document-reads';
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
import { allow, userOf, type Permission } from '../security/access-policy';
import type { SessionUser } from '../../domain/users/session.repository';
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

  /**
   * One handling step: the copy must be visible to the user, the step is done, and the answer goes
   * back to the document (or, when the copy left the user's hands, to the inbox) saying what was done.
   */
  const step = (action: string, permission: Permission, run: (req: Request, user: SessionUser, id: string) => Promise<void>, backTo: 'document' | 'inbox' = 'document') =>
    router.post(`/inbox/:dispatchId/${action}`, allow(permission), async (req, res) => {
      const id = await visibleDispatch(db, req, res);
      await run(req, userOf(res), id);
      const done = action.replace('-', '_');
      res.redirect(303, backTo === 'inbox' ? `/inbox?done=${done}` : `/inbox/${id}?done=${done}`);
    });

  step('submit', 'documents.submit', (req, user, id) => submitToLeader(db, user, id, field(req, 'note')));
  step('assign', 'documents.assign', (req, user, id) => {
    const [kind, leadId] = field(req, 'lead').split(':');
    return assignUnits(db, user, id, {
      leadDepartmentId: kind === 'dept' ? leadId ?? null : null,
      leadUserId: kind === 'user' ? leadId ?? null : null,
      supportDepartmentIds: fields(req, 'support'),
      deadlineOn: field(req, 'deadlineOn') || null,
      instruction: field(req, 'instruction') || null,
    });
  });
  step('assign-person', 'documents.assign_person', (req, user, id) => assignSpecialist(db, user, id, field(req, 'userId'), field(req, 'note')));
  step('note', 'documents.process', (req, user, id) => {
    const f = ((req.files ?? []) as Express.Multer.File[]).find((x) => x.fieldname === 'file' && x.size > 0);
    const file: NoteFile | undefined = f
      ? { name: safeFileName(f.originalname, 'tep-dinh-kem'), contentType: f.mimetype || 'application/octet-stream', ...(f.path ? { path: f.path } : { bytes: f.buffer }) }
      : undefined;
    return addNote(db, user, id, field(req, 'note'), file);
  });
  step('complete', 'documents.process', (req, user, id) => completeHandling(db, user, id, field(req, 'result')));
  step('return', 'documents.process', (req, user, id) => returnHandling(db, user, id, field(req, 'reason')), 'inbox');
  step('forward', 'documents.process', (req, user, id) => forwardHandling(db, user, id, field(req, 'departmentId'), field(req, 'reason')), 'inbox');

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
