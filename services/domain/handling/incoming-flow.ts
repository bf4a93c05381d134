import { EdxmlStatusCode, ErrorCode } from '../../../contracts';
import { inTransaction, type Db, type Tx } from '../../db/pool';
import { putBlob, putBlobFromFile } from '../blobs/blob.repository';
import { isRealDay } from '../../calendar/vn-day';
import { recordStatusIn } from '../dispatches/record-status';
import { DomainError } from '../errors/domain-error';
import { headsOf, notifyUsers, usersWithRole } from '../notifications/notify';
import { ROLE_LABELS, type Role } from '../users/roles';
import type { HandlingStep } from './handling.repository';

/** Who acts: the signed-in user (web). */
export interface Actor {
  id: string;
  username: string;
  fullName: string | null;
  role: Role;
  agencyCode: string;
  departmentId: string | null;
}

interface Locked {
  dispatchId: string;
  status: string;
  stage: string;
  urgent: boolean;
  title: string;
  deadlineOn: string | null;
  leadDepartmentId: string | null;
  leadUserId: string | null;
  handlerUserId: string | null;
  supportDepartments: string[];
}

const forbidden = (m: string) => new DomainError(ErrorCode.FORBIDDEN, m);
const conflict = (m: string) => new DomainError(ErrorCode.CONFLICT, m);
const invalid = (m: string, path: string) => new DomainError(ErrorCode.VALIDATION_FAILED, m, [{ path }]);

/** Stages in which the work is with a unit or person (given, not yet completed): notes, giao, hoàn thành, trả lại, chuyển. */
export const HANDLING_STAGES: readonly string[] = ['assigned', 'in_progress'];
/** Every stage before completion: the leader may give an opinion on a copy and complete it himself in any of them. */
export const OPEN_STAGES: readonly string[] = ['registered', 'submitted', ...HANDLING_STAGES];

/** Where ý kiến and hoàn thành may be given: the leader handles a copy directly at any open stage, others once it is given. */
const processingStages = (actor: Actor): readonly string[] => (actor.role === 'leader' ? OPEN_STAGES : HANDLING_STAGES);

const WHERE_IT_STANDS: Record<string, string> = {
  registered: 'Văn bản chưa được phân công xử lý',
  submitted: 'Văn bản đang chờ lãnh đạo phân công xử lý',
  completed: 'Văn bản đã hoàn thành',
};

/** 409 with a sentence saying where the copy stands, when its stage does not allow the action. */
function needStage(h: Locked, allowed: readonly string[], action: string): void {
  if (!allowed.includes(h.stage)) throw conflict(`${WHERE_IT_STANDS[h.stage] ?? 'Văn bản không ở bước phù hợp'}: không thể ${action}.`);
}

/** The copy's handling row, locked; refuses what is not this agency's or not registered yet. */
async function lock(tx: Tx, actor: Actor, dispatchId: string): Promise<Locked> {
  const r = await tx.query(
    `SELECT h.dispatch_id AS "dispatchId", x.status, h.stage, (d.urgency <> 'normal') AS urgent,
            d.number || '/' || d.notation || ' — ' || left(d.subject, 160) AS title, h.deadline_on::text AS "deadlineOn",
            h.lead_department_id AS "leadDepartmentId", h.lead_user_id AS "leadUserId", h.handler_user_id AS "handlerUserId",
            ARRAY(SELECT department_id FROM incoming_assignees a WHERE a.dispatch_id = h.dispatch_id AND a.role = 'support' AND department_id IS NOT NULL)::text[] AS "supportDepartments"
       FROM incoming_handling h JOIN dispatches x ON x.id = h.dispatch_id JOIN documents d ON d.id = x.document_id
      WHERE h.dispatch_id = $1 AND h.agency_code = $2 FOR UPDATE OF h`,
    [dispatchId, actor.agencyCode],
  );
  const row = r.rows[0] as Locked | undefined;
  if (!row) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản đã vào sổ.');
  if (row.status === 'revoked') throw conflict('Văn bản đã bị thu hồi.');
  return row;
}

async function step(tx: Tx, actor: Actor, dispatchId: string, kind: HandlingStep['kind'], note: string | null, file?: { sha256: string; name: string }): Promise<void> {
  await tx.query(
    `INSERT INTO incoming_steps (dispatch_id, actor_id, actor_name, actor_role, kind, note, file_sha256, file_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [dispatchId, actor.id, actor.fullName ?? actor.username, ROLE_LABELS[actor.role], kind, note, file?.sha256 ?? null, file?.name ?? null],
  );
  await tx.query(`UPDATE incoming_handling SET updated_at = now() WHERE dispatch_id = $1`, [dispatchId]);
}

function clean(text: string | undefined | null, max = 2000): string | null {
  const t = (text ?? '').trim();
  return t ? t.slice(0, max) : null;
}

function dayVi(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** Posts an edXML status in the same transaction, so the sender's timeline and the step agree. */
async function status(tx: Tx, actor: Actor, dispatchId: string, code: EdxmlStatusCode, note: string | null): Promise<void> {
  await recordStatusIn(tx, { actingAgency: actor.agencyCode, dispatchId, code, note, actor: `user:${actor.username}` });
}

/** Văn thư: trình — the registered copy goes to the leaders. */
export async function submitToLeader(db: Db, actor: Actor, dispatchId: string, note?: string): Promise<void> {
  if (actor.role !== 'clerk') throw forbidden('Chỉ văn thư trình văn bản.');
  await inTransaction(db, async (tx) => {
    const h = await lock(tx, actor, dispatchId);
    if (h.stage !== 'registered') throw conflict('Văn bản đã được trình.');
    await tx.query(`UPDATE incoming_handling SET stage = 'submitted' WHERE dispatch_id = $1`, [dispatchId]);
    await step(tx, actor, dispatchId, 'submit', clean(note));
    await notifyUsers(tx, await usersWithRole(tx, actor.agencyCode, ['leader']), {
      kind: 'submitted', title: `Văn bản trình xin ý kiến: ${h.title}`, link: `/inbox/${dispatchId}`, dispatchId, urgent: h.urgent,
    });
  });
}

export interface Assignment {
  leadDepartmentId?: string | null;
  leadUserId?: string | null;
  supportDepartmentIds: string[];
  deadlineOn?: string | null;
  instruction?: string | null;
}

/**
 * Lãnh đạo: phân công — the unit (or person) in charge, the units that help, a deadline and
 * instructions; a 04 goes to the sender. A leader may assign a registered copy at once (urgent
 * documents need not wait for trình) and may assign again.
 */
export async function assignUnits(db: Db, actor: Actor, dispatchId: string, a: Assignment): Promise<void> {
  if (actor.role !== 'leader') throw forbidden('Chỉ lãnh đạo được phân công xử lý.');
  if (Boolean(a.leadDepartmentId) === Boolean(a.leadUserId)) throw invalid('Hãy chọn một đơn vị hoặc một người chủ trì.', 'lead');
  if (a.deadlineOn && !isRealDay(a.deadlineOn)) throw invalid('Hạn xử lý không hợp lệ: hãy chọn một ngày có thật (ngày/tháng/năm).', 'deadlineOn');
  await inTransaction(db, async (tx) => {
    const h = await lock(tx, actor, dispatchId);
    if (h.stage === 'completed') throw conflict('Văn bản đã hoàn thành.');
    const support = [...new Set(a.supportDepartmentIds)].filter((d) => d !== a.leadDepartmentId);
    const names = await tx.query<{ id: string; name: string; kind: string }>(
      `SELECT id::text, name, 'department' AS kind FROM departments WHERE id::text = ANY($1::text[]) AND agency_code = $2 AND disabled_at IS NULL
       UNION ALL SELECT id::text, COALESCE(full_name, username), 'user' FROM users
        WHERE id::text = $3 AND agency_code = $2 AND disabled_at IS NULL AND role IN ('unit_head', 'specialist')`,
      [[a.leadDepartmentId ?? '', ...support], actor.agencyCode, a.leadUserId ?? ''],
    );
    const nameOf = new Map(names.rows.map((n) => [n.id, n.name]));
    for (const id of [a.leadDepartmentId ?? a.leadUserId!, ...support]) {
      if (!nameOf.has(id)) throw invalid('Đơn vị hoặc người được giao không thuộc cơ quan, đã ngừng sử dụng, hoặc không phải lãnh đạo phòng, chuyên viên.', 'lead');
    }
    const deadline = a.deadlineOn || h.deadlineOn;
    await tx.query(`DELETE FROM incoming_assignees WHERE dispatch_id = $1`, [dispatchId]);
    await tx.query(`INSERT INTO incoming_assignees (dispatch_id, role, department_id, user_id) VALUES ($1, 'lead', $2, $3)`, [dispatchId, a.leadDepartmentId ?? null, a.leadUserId ?? null]);
    for (const d of support) await tx.query(`INSERT INTO incoming_assignees (dispatch_id, role, department_id) VALUES ($1, 'support', $2)`, [dispatchId, d]);
    await tx.query(
      `UPDATE incoming_handling SET stage = $2, lead_department_id = $3, lead_user_id = $4, handler_user_id = $4, deadline_on = $5, instruction = $6 WHERE dispatch_id = $1`,
      [dispatchId, a.leadUserId ? 'in_progress' : 'assigned', a.leadDepartmentId ?? null, a.leadUserId ?? null, deadline ?? null, clean(a.instruction)],
    );
    const text = [
      `Chủ trì: ${nameOf.get(a.leadDepartmentId ?? a.leadUserId!)}`,
      support.length ? `phối hợp: ${support.map((s) => nameOf.get(s)).join(', ')}` : null,
      deadline ? `hạn xử lý: ${dayVi(deadline)}` : null,
    ].filter(Boolean).join('; ');
    const note = clean(a.instruction) ? `${text}. Ý kiến chỉ đạo: ${clean(a.instruction)}` : text;
    await step(tx, actor, dispatchId, 'assign', note);
    await status(tx, actor, dispatchId, EdxmlStatusCode.assigned, note);
    const told = a.leadUserId ? [a.leadUserId] : await headsOf(tx, [a.leadDepartmentId!]);
    await notifyUsers(tx, told, { kind: 'assigned', title: `Được giao chủ trì xử lý: ${h.title}`, link: `/inbox/${dispatchId}`, dispatchId, urgent: h.urgent });
    await notifyUsers(tx, await headsOf(tx, support), { kind: 'assigned', title: `Được giao phối hợp xử lý: ${h.title}`, link: `/inbox/${dispatchId}`, dispatchId, urgent: h.urgent });
  });
}

/** Lãnh đạo phòng (of the unit in charge): gives the work to a specialist of the unit; a 04 goes to the sender. */
export async function assignSpecialist(db: Db, actor: Actor, dispatchId: string, userId: string, note?: string): Promise<void> {
  if (actor.role !== 'unit_head') throw forbidden('Chỉ lãnh đạo phòng giao việc cho chuyên viên.');
  await inTransaction(db, async (tx) => {
    const h = await lock(tx, actor, dispatchId);
    needStage(h, HANDLING_STAGES, 'giao chuyên viên xử lý');
    if (!h.leadDepartmentId || h.leadDepartmentId !== actor.departmentId) throw forbidden('Văn bản không được giao cho phòng của bạn chủ trì.');
    const u = await tx.query<{ name: string }>(
      `SELECT COALESCE(full_name, username) AS name FROM users WHERE id::text = $1 AND department_id = $2 AND disabled_at IS NULL AND role IN ('specialist', 'unit_head')`,
      [userId, actor.departmentId],
    );
    if (!u.rows[0]) throw invalid('Hãy chọn một chuyên viên của phòng.', 'userId');
    await tx.query(`UPDATE incoming_handling SET stage = 'in_progress', handler_user_id = $2 WHERE dispatch_id = $1`, [dispatchId, userId]);
    const text = `Giao chuyên viên ${u.rows[0].name} xử lý${clean(note) ? `: ${clean(note)}` : ''}`;
    await step(tx, actor, dispatchId, 'assign_person', text);
    await status(tx, actor, dispatchId, EdxmlStatusCode.assigned, text);
    await notifyUsers(tx, [userId], { kind: 'assigned', title: `Được giao xử lý: ${h.title}`, link: `/inbox/${dispatchId}`, dispatchId, urgent: h.urgent });
  });
}

/** Who may complete: the leader, the person handling (or in charge), the head of the unit in charge; notes also the units' members. */
function mayProcess(actor: Actor, h: Locked, opts: { support: boolean }): boolean {
  if (actor.role === 'leader') return true;
  if (h.handlerUserId === actor.id || h.leadUserId === actor.id) return true;
  if (actor.departmentId && actor.departmentId === h.leadDepartmentId && actor.role === 'unit_head') return true;
  // Other members of the units in charge or helping may add notes (phối hợp), not complete.
  if (opts.support && actor.departmentId !== null && actor.departmentId === h.leadDepartmentId) return true;
  return opts.support && actor.departmentId !== null && h.supportDepartments.includes(actor.departmentId);
}

/** A file kept with a note: in memory, or a temporary file of a large upload. */
export interface NoteFile {
  name: string;
  contentType: string;
  bytes?: Buffer;
  path?: string;
}

/** A note (and optionally a file) while processing; the first one moves the copy to 05 (đang xử lý). */
export async function addNote(db: Db, actor: Actor, dispatchId: string, text: string, file?: NoteFile): Promise<void> {
  const note = clean(text);
  if (!note && !file) throw invalid('Hãy ghi nội dung hoặc đính kèm tệp.', 'note');
  await inTransaction(db, async (tx) => {
    const h = await lock(tx, actor, dispatchId);
    needStage(h, processingStages(actor), 'ghi ý kiến xử lý');
    if (!mayProcess(actor, h, { support: true })) throw forbidden('Bạn không được giao xử lý văn bản này.');
    const blob = file ? (file.path ? await putBlobFromFile(tx, file.path, file.contentType) : await putBlob(tx, file.bytes!, file.contentType)) : undefined;
    await step(tx, actor, dispatchId, 'note', note, blob ? { sha256: blob.sha256, name: file!.name.slice(0, 200) } : undefined);
    // 05 goes to the sender once, on the first note: not again after a new assignment (04) moved the status back.
    if (h.status === 'accepted' || h.status === 'assigned') {
      const sent = await tx.query(`SELECT 1 FROM dispatch_events WHERE dispatch_id = $1 AND code = $2 LIMIT 1`, [dispatchId, EdxmlStatusCode.processing]);
      if (!sent.rowCount) await status(tx, actor, dispatchId, EdxmlStatusCode.processing, null);
    }
  });
}

/** Hoàn thành: the result is recorded and 06 goes to the sender. */
export async function completeHandling(db: Db, actor: Actor, dispatchId: string, result: string): Promise<void> {
  const text = clean(result);
  if (!text) throw invalid('Hãy ghi kết quả xử lý.', 'result');
  await inTransaction(db, async (tx) => {
    const h = await lock(tx, actor, dispatchId);
    needStage(h, processingStages(actor), 'hoàn thành xử lý');
    if (!mayProcess(actor, h, { support: false })) throw forbidden('Chỉ người được giao chủ trì mới hoàn thành văn bản.');
    await tx.query(`UPDATE incoming_handling SET stage = 'completed', result = $2, completed_at = now() WHERE dispatch_id = $1`, [dispatchId, text]);
    await step(tx, actor, dispatchId, 'complete', text);
    await status(tx, actor, dispatchId, EdxmlStatusCode.completed, text);
  });
}

/**
 * Trả lại (with a reason): a specialist gives the work back to the unit head; a unit head gives
 * it back to the leader for another assignment. Internal: no edXML status.
 */
export async function returnHandling(db: Db, actor: Actor, dispatchId: string, reason: string): Promise<void> {
  const why = clean(reason);
  if (!why) throw invalid('Trả lại phải ghi lý do.', 'reason');
  await inTransaction(db, async (tx) => {
    const h = await lock(tx, actor, dispatchId);
    needStage(h, HANDLING_STAGES, 'trả lại');
    let told: string[];
    if (h.handlerUserId === actor.id && h.leadDepartmentId) {
      await tx.query(`UPDATE incoming_handling SET stage = 'assigned', handler_user_id = NULL WHERE dispatch_id = $1`, [dispatchId]);
      told = await headsOf(tx, [h.leadDepartmentId]);
    } else if ((actor.role === 'unit_head' && h.leadDepartmentId !== null && actor.departmentId === h.leadDepartmentId) || h.leadUserId === actor.id) {
      // Back to the leader: the unit or person in charge no longer has it (the steps keep who had it);
      // the leader assigns again. Units that help keep their part until the new assignment replaces it.
      await tx.query(
        `UPDATE incoming_handling SET stage = 'submitted', lead_department_id = NULL, lead_user_id = NULL, handler_user_id = NULL WHERE dispatch_id = $1`,
        [dispatchId],
      );
      await tx.query(`DELETE FROM incoming_assignees WHERE dispatch_id = $1 AND role = 'lead'`, [dispatchId]);
      told = await usersWithRole(tx, actor.agencyCode, ['leader']);
    } else throw forbidden('Bạn không được giao xử lý văn bản này.');
    await step(tx, actor, dispatchId, 'return', why);
    await notifyUsers(tx, told, { kind: 'assigned', title: `Văn bản bị trả lại (${why.slice(0, 100)}): ${h.title}`, link: `/inbox/${dispatchId}`, dispatchId, urgent: h.urgent });
  });
}

/** Chuyển (with a reason): the head of the unit in charge hands the lead to another unit; a 04 goes to the sender. */
export async function forwardHandling(db: Db, actor: Actor, dispatchId: string, departmentId: string, reason: string): Promise<void> {
  const why = clean(reason);
  if (!why) throw invalid('Chuyển văn bản phải ghi lý do.', 'reason');
  await inTransaction(db, async (tx) => {
    // Only the head of the unit in charge forwards (README); a leader changes the unit by assigning again.
    if (actor.role !== 'unit_head') throw forbidden('Chỉ lãnh đạo phòng chủ trì được chuyển văn bản; lãnh đạo thay đơn vị chủ trì bằng cách phân công lại.');
    const h = await lock(tx, actor, dispatchId);
    needStage(h, HANDLING_STAGES, 'chuyển đơn vị khác chủ trì');
    if (!h.leadDepartmentId || actor.departmentId !== h.leadDepartmentId) throw forbidden('Chỉ lãnh đạo phòng chủ trì được chuyển văn bản.');
    const d = await tx.query<{ name: string }>(`SELECT name FROM departments WHERE id::text = $1 AND agency_code = $2 AND disabled_at IS NULL`, [departmentId, actor.agencyCode]);
    if (!d.rows[0] || departmentId === h.leadDepartmentId) throw invalid('Hãy chọn một phòng, đơn vị khác của cơ quan.', 'departmentId');
    await tx.query(`UPDATE incoming_assignees SET department_id = $2, user_id = NULL WHERE dispatch_id = $1 AND role = 'lead'`, [dispatchId, departmentId]);
    await tx.query(`DELETE FROM incoming_assignees WHERE dispatch_id = $1 AND role = 'support' AND department_id = $2`, [dispatchId, departmentId]);
    await tx.query(`UPDATE incoming_handling SET stage = 'assigned', lead_department_id = $2, lead_user_id = NULL, handler_user_id = NULL WHERE dispatch_id = $1`, [dispatchId, departmentId]);
    const text = `Chuyển ${d.rows[0].name} chủ trì: ${why}`;
    await step(tx, actor, dispatchId, 'forward', text);
    await status(tx, actor, dispatchId, EdxmlStatusCode.assigned, text);
    await notifyUsers(tx, await headsOf(tx, [departmentId]), { kind: 'assigned', title: `Được chuyển chủ trì xử lý: ${h.title}`, link: `/inbox/${dispatchId}`, dispatchId, urgent: h.urgent });
  });
}
