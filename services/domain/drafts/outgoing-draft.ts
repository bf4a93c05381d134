import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../../contracts';
import { inTransaction, type Db, type Queryable, type Tx } from '../../db/pool';
import { DomainError } from '../errors/domain-error';
import type { Actor } from '../handling/incoming-flow';
import { headsOf, notifyUsers, usersWithRole } from '../notifications/notify';
import { ROLE_LABELS } from '../users/roles';

export type DraftState = 'head_review' | 'leader_review' | 'approved' | 'returned' | 'sent';

export interface DraftRow {
  id: string;
  agencyCode: string;
  authorId: string;
  authorName: string;
  departmentId: string | null;
  state: DraftState;
  /** The send form's values (services/web/send/send-form.ts), kept as entered. */
  form: Record<string, unknown>;
  fileSha256: string | null;
  fileName: string | null;
  documentId: string | null;
  createdAt: Date;
  steps: { at: Date; actorName: string; actorRole: string; action: string; comment: string | null }[];
}

const forbidden = (m: string) => new DomainError(ErrorCode.FORBIDDEN, m);
const conflict = (m: string) => new DomainError(ErrorCode.CONFLICT, m);
const invalid = (m: string) => new DomainError(ErrorCode.VALIDATION_FAILED, m, [{ path: 'file' }]);

async function step(tx: Queryable, actor: Actor, draftId: string, action: string, comment: string | null): Promise<void> {
  await tx.query(
    `INSERT INTO outgoing_draft_steps (draft_id, actor_id, actor_name, actor_role, action, comment) VALUES ($1, $2, $3, $4, $5, $6)`,
    [draftId, actor.id, actor.fullName ?? actor.username, ROLE_LABELS[actor.role], action, comment],
  );
}

function subjectOf(form: Record<string, unknown>): string {
  return String(form.subject ?? '').slice(0, 160);
}

/** Tells who must act next on a draft in `state`. */
async function tellNext(tx: Tx, agency: string, draft: { id: string; departmentId: string | null; authorId: string; subject: string }, state: DraftState): Promise<void> {
  const link = `/drafts/${draft.id}`;
  if (state === 'head_review') await notifyUsers(tx, await headsOf(tx, [draft.departmentId]), { kind: 'approval', title: `Dự thảo chờ duyệt: ${draft.subject}`, link });
  if (state === 'leader_review') await notifyUsers(tx, await usersWithRole(tx, agency, ['leader']), { kind: 'approval', title: `Dự thảo chờ lãnh đạo duyệt: ${draft.subject}`, link });
  if (state === 'approved') await notifyUsers(tx, await usersWithRole(tx, agency, ['clerk']), { kind: 'approval', title: `Văn bản đã duyệt, chờ cấp số và phát hành: ${draft.subject}`, link });
  if (state === 'returned') await notifyUsers(tx, [draft.authorId], { kind: 'approval', title: `Dự thảo bị trả lại: ${draft.subject}`, link });
}

/** A chuyên viên (or a unit head) drafts an outgoing document; it goes to the unit head (or straight to the leader). */
export async function createDraft(db: Db, actor: Actor, form: Record<string, unknown>, file?: { sha256: string; name: string }): Promise<string> {
  if (actor.role !== 'specialist' && actor.role !== 'unit_head') throw forbidden('Chỉ chuyên viên, lãnh đạo phòng soạn dự thảo.');
  const id = randomUUID();
  const state: DraftState = actor.role === 'specialist' && actor.departmentId ? 'head_review' : 'leader_review';
  await inTransaction(db, async (tx) => {
    await tx.query(
      `INSERT INTO outgoing_drafts (id, agency_code, author_id, department_id, state, form, file_sha256, file_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, actor.agencyCode, actor.id, actor.departmentId, state, JSON.stringify(form), file?.sha256 ?? null, file?.name ?? null],
    );
    await step(tx, actor, id, 'submit', null);
    await tellNext(tx, actor.agencyCode, { id, departmentId: actor.departmentId, authorId: actor.id, subject: subjectOf(form) }, state);
  });
  return id;
}

async function lockDraft(tx: Tx, actor: Actor, id: string): Promise<{ id: string; state: DraftState; departmentId: string | null; authorId: string; form: Record<string, unknown> }> {
  const r = await tx.query(
    `SELECT id, state, department_id AS "departmentId", author_id AS "authorId", form FROM outgoing_drafts WHERE id = $1 AND agency_code = $2 FOR UPDATE`,
    [id, actor.agencyCode],
  );
  if (!r.rows[0]) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy dự thảo.');
  return r.rows[0];
}

/** Whether the actor is the approver the draft waits for. */
function isReviewer(actor: Actor, d: { state: DraftState; departmentId: string | null }): boolean {
  return (d.state === 'head_review' && actor.role === 'unit_head' && actor.departmentId === d.departmentId) || (d.state === 'leader_review' && actor.role === 'leader');
}

/** Duyệt: the unit head passes it to the leader; the leader approves it for issuing. Each approval is a step. */
export async function approveDraft(db: Db, actor: Actor, id: string, comment?: string): Promise<DraftState> {
  return inTransaction(db, async (tx) => {
    const d = await lockDraft(tx, actor, id);
    if (!isReviewer(actor, d)) throw forbidden('Dự thảo không chờ bạn duyệt.');
    const next: DraftState = d.state === 'head_review' ? 'leader_review' : 'approved';
    await tx.query(`UPDATE outgoing_drafts SET state = $2, updated_at = now() WHERE id = $1`, [id, next]);
    await step(tx, actor, id, 'approve', comment?.trim() || null);
    await tellNext(tx, actor.agencyCode, { id, departmentId: d.departmentId, authorId: d.authorId, subject: subjectOf(d.form) }, next);
    return next;
  });
}

/** Trả lại with comments: back to the author, who corrects and resubmits. */
export async function returnDraft(db: Db, actor: Actor, id: string, comment: string): Promise<void> {
  if (!comment.trim()) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Trả lại phải ghi ý kiến.', [{ path: 'comment' }]);
  await inTransaction(db, async (tx) => {
    const d = await lockDraft(tx, actor, id);
    if (!isReviewer(actor, d)) throw forbidden('Dự thảo không chờ bạn duyệt.');
    await tx.query(`UPDATE outgoing_drafts SET state = 'returned', updated_at = now() WHERE id = $1`, [id]);
    await step(tx, actor, id, 'return', comment.trim().slice(0, 2000));
    await tellNext(tx, actor.agencyCode, { id, departmentId: d.departmentId, authorId: d.authorId, subject: subjectOf(d.form) }, 'returned');
  });
}

/** The author resubmits a returned draft (with the corrected body text, when given). */
/** Resubmits a returned draft, with its corrected text (composed) or a corrected PDF (uploaded) when given. */
export async function resubmitDraft(db: Db, actor: Actor, id: string, bodyText: string | null, comment?: string, file?: { sha256: string; name: string }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const d = await lockDraft(tx, actor, id);
    if (d.authorId !== actor.id) throw forbidden('Chỉ người soạn được trình lại dự thảo.');
    if (d.state !== 'returned') throw conflict('Dự thảo không ở trạng thái bị trả lại.');
    const next: DraftState = actor.role === 'specialist' && d.departmentId ? 'head_review' : 'leader_review';
    const form = bodyText !== null ? { ...d.form, bodyText } : d.form;
    if (file && d.form.source === 'compose') throw invalid('Dự thảo soạn trên hệ thống được sửa ở nội dung, không tải tệp lên.');
    await tx.query(
      `UPDATE outgoing_drafts SET state = $2, form = $3, file_sha256 = COALESCE($4, file_sha256), file_name = COALESCE($5, file_name), updated_at = now() WHERE id = $1`,
      [id, next, JSON.stringify(form), file?.sha256 ?? null, file?.name ?? null],
    );
    await step(tx, actor, id, 'resubmit', [comment?.trim(), file ? `Thay tệp: ${file.name}` : null].filter(Boolean).join(' — ') || null);
    await tellNext(tx, actor.agencyCode, { id, departmentId: d.departmentId, authorId: d.authorId, subject: subjectOf(form) }, next);
  });
}

/**
 * The văn thư issues an approved draft: `send` numbers and submits it (the same acceptDocument as
 * the send form) and returns the document id; the draft is marked sent in the same transaction
 * lock, so a second click cannot send it twice.
 */
export async function issueDraft(db: Db, actor: Actor, id: string, send: (form: Record<string, unknown>, file: { sha256: string; name: string } | null) => Promise<string>): Promise<string> {
  if (actor.role !== 'clerk') throw forbidden('Chỉ văn thư cấp số và phát hành.');
  return inTransaction(db, async (tx) => {
    const r = await tx.query(`SELECT state, form, file_sha256 AS sha, file_name AS name FROM outgoing_drafts WHERE id = $1 AND agency_code = $2 FOR UPDATE`, [id, actor.agencyCode]);
    const d = r.rows[0];
    if (!d) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy dự thảo.');
    if (d.state !== 'approved') throw conflict('Dự thảo chưa được lãnh đạo duyệt.');
    const documentId = await send(d.form, d.sha ? { sha256: d.sha, name: d.name ?? 'van-ban.pdf' } : null);
    await tx.query(`UPDATE outgoing_drafts SET state = 'sent', document_id = $2, updated_at = now() WHERE id = $1`, [id, documentId]);
    await step(tx, actor, id, 'send', null);
    return documentId;
  });
}

/**
 * Which drafts concern a user, over `o` (outgoing_drafts): their own, those waiting for their
 * approval (unit head: their unit's at head_review; leader: leader_review on), and (văn thư) those
 * to issue. $1 agency, $2 user id, $3 role, $4 department. The /drafts list's rule.
 */
const CONCERNS_SQL = `o.agency_code = $1 AND (o.author_id = $2
         OR ($3 = 'unit_head' AND o.state = 'head_review' AND o.department_id = $4)
         OR ($3 = 'leader' AND o.state IN ('leader_review', 'approved', 'sent'))
         OR ($3 = 'clerk' AND o.state IN ('approved', 'sent')))`;

const DRAFT_COLUMNS = `o.id, o.agency_code AS "agencyCode", o.author_id AS "authorId", COALESCE(u.full_name, u.username) AS "authorName", o.department_id AS "departmentId",
            o.state, o.form, o.file_sha256 AS "fileSha256", o.file_name AS "fileName", o.document_id AS "documentId", o.created_at AS "createdAt",
            COALESCE((SELECT json_agg(json_build_object('at', s.at, 'actorName', s.actor_name, 'actorRole', s.actor_role, 'action', s.action, 'comment', s.comment) ORDER BY s.id)
                        FROM outgoing_draft_steps s WHERE s.draft_id = o.id), '[]') AS steps`;

type DraftRecord = Omit<DraftRow, 'steps'> & { steps: (Omit<DraftRow['steps'][number], 'at'> & { at: string })[] };

function toDraftRow(row: DraftRecord | undefined): DraftRow | undefined {
  return row ? { ...row, steps: row.steps.map((s) => ({ ...s, at: new Date(s.at) })) } : undefined;
}

/**
 * A draft as the user may open it (its page, its PDF): one that concerns them as in their /drafts
 * list, or one they acted on (approved, returned, issued: the page they are sent back to after it).
 * Anything else is undefined, for a 404.
 */
export async function findDraftFor(db: Queryable, actor: Actor, id: string): Promise<DraftRow | undefined> {
  const r = await db.query<DraftRecord>(
    `SELECT ${DRAFT_COLUMNS} FROM outgoing_drafts o JOIN users u ON u.id = o.author_id
      WHERE o.id = $5 AND (${CONCERNS_SQL}
         OR (o.agency_code = $1 AND EXISTS (SELECT 1 FROM outgoing_draft_steps s WHERE s.draft_id = o.id AND s.actor_id = $2)))`,
    [actor.agencyCode, actor.id, actor.role, actor.departmentId, id],
  );
  return toDraftRow(r.rows[0]);
}

/** Drafts that concern the user: their own, those waiting for their approval, and (văn thư) those to issue. */
export async function draftsFor(db: Queryable, actor: Actor): Promise<{ id: string; subject: string; state: DraftState; authorName: string; updatedAt: Date }[]> {
  const r = await db.query(
    `SELECT o.id, o.form->>'subject' AS subject, o.state, COALESCE(u.full_name, u.username) AS "authorName", o.updated_at AS "updatedAt"
       FROM outgoing_drafts o JOIN users u ON u.id = o.author_id
      WHERE ${CONCERNS_SQL}
      ORDER BY o.updated_at DESC LIMIT 200`,
    [actor.agencyCode, actor.id, actor.role, actor.departmentId],
  );
  return r.rows;
}
