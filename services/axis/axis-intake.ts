import { ErrorCode } from '../../contracts';
import type { Db } from '../db/pool';
import { findAgency, upsertRemoteAgency } from '../domain/agencies/agency.repository';
import type { AcceptLimits } from '../domain/documents/accept-document';
import { edxmlDomainError, receiveEdxml } from '../domain/edxml/receive-edxml';
import { DomainError } from '../domain/errors/domain-error';
import { EdxmlError, parseEdxml, type EdxmlMessage, type EdxmlOrgan } from '../edxml';
import type { AxisClient, AxisMessageType, AxisReceived } from './axis-client';

export type AxisIntakeOutcome = 'accepted' | 'duplicate' | 'refused' | 'reacknowledged' | 'busy';
export type AxisIntakeCounts = Record<AxisIntakeOutcome, number>;
/** The same limits as POST /v1/edxml, and its largest body. */
export type AxisIntakeLimits = AcceptLimits & { maxInputBytes: number };

/** A claim older than this without an outcome belongs to a process that died: it may be taken again. */
const STALE_CLAIM = '10 minutes';
const CODE = /^[0-9A-Z.]{1,35}$/;

/**
 * Every message the axis holds for this hub — documents first, then status messages — enters
 * through the same acceptance as POST /v1/edxml (receiveEdxml), in the name of the agency the
 * envelope comes from (learned into the directory as reached through the axis when it was not
 * known). Each axis message is claimed once (axis_received), so a message listed twice, or the
 * same envelope under two axis ids (idempotent by its DocumentId), makes one document. The axis
 * is then told `done` or `fail`. A transient error (the database, the axis) leaves the message
 * unclaimed for the next poll.
 */
export async function pollAxisInbox(db: Db, client: AxisClient, limits: AxisIntakeLimits): Promise<AxisIntakeCounts> {
  const counts: AxisIntakeCounts = { accepted: 0, duplicate: 0, refused: 0, reacknowledged: 0, busy: 0 };
  for (const type of ['edoc', 'status'] as AxisMessageType[]) {
    for (const item of await client.listReceived(type)) counts[await takeOne(db, client, item, limits)]++;
  }
  return counts;
}

async function takeOne(db: Db, client: AxisClient, item: AxisReceived, limits: AxisIntakeLimits): Promise<AxisIntakeOutcome> {
  const claimed = await db.query(
    `INSERT INTO axis_received (axis_doc_id, message_type, from_code) VALUES ($1, $2, $3)
     ON CONFLICT (axis_doc_id) DO UPDATE SET claimed_at = now()
       WHERE axis_received.outcome IS NULL AND axis_received.claimed_at < now() - interval '${STALE_CLAIM}'
     RETURNING axis_doc_id`,
    [item.docId, item.messageType, item.from?.slice(0, 100) ?? null],
  );
  if (claimed.rowCount === 0) {
    const prev = (await db.query<{ outcome: string | null }>(`SELECT outcome FROM axis_received WHERE axis_doc_id = $1`, [item.docId])).rows[0];
    if (!prev?.outcome) return 'busy';
    // Handled before, but the axis still lists it: our answer did not reach it.
    await acknowledge(db, client, item.docId, prev.outcome === 'refused' ? 'fail' : 'done');
    return 'reacknowledged';
  }
  let result: { outcome: 'accepted' | 'duplicate' | 'refused'; documentId?: string | null; detail?: string };
  try {
    const bytes = await client.getEnvelope(item.docId);
    result = await accept(db, client.systemId, bytes, limits);
  } catch (err) {
    // Not the envelope's fault: give the claim back so the next poll takes it again.
    await db.query(`DELETE FROM axis_received WHERE axis_doc_id = $1 AND outcome IS NULL`, [item.docId]);
    throw err;
  }
  await db.query(
    `UPDATE axis_received SET outcome = $2, document_id = $3, detail = $4, handled_at = now() WHERE axis_doc_id = $1`,
    [item.docId, result.outcome, result.documentId ?? null, result.detail?.slice(0, 2000) ?? null],
  );
  await acknowledge(db, client, item.docId, result.outcome === 'refused' ? 'fail' : 'done');
  return result.outcome;
}

async function accept(db: Db, systemId: string, bytes: Buffer, limits: AxisIntakeLimits): Promise<{ outcome: 'accepted' | 'duplicate' | 'refused'; documentId?: string | null; detail?: string }> {
  try {
    let message: EdxmlMessage;
    try {
      message = parseEdxml(bytes, { maxInputBytes: limits.maxInputBytes });
    } catch (err) {
      if (err instanceof EdxmlError) throw edxmlDomainError(err);
      throw err;
    }
    const from = message.kind === 'status' ? message.status.from : message.document.from;
    await learnSender(db, from.organId, from.organName);
    if (message.kind === 'document') message = { kind: 'document', document: { ...message.document, to: await servedHere(db, message.document.to) } };
    const outcome = await receiveEdxml(db, from.organId, `axis:${systemId}`, message, limits);
    if (outcome.kind === 'document') return { outcome: outcome.result.created ? 'accepted' : 'duplicate', documentId: outcome.result.id };
    return { outcome: 'accepted' };
  } catch (err) {
    if (err instanceof DomainError) return { outcome: 'refused', detail: `${err.code}: ${err.message}` };
    throw err;
  }
}

/**
 * The recipients this hub serves: an envelope on the axis names every recipient across the country
 * (each hub receives the same envelope); copies are made here only for the local ones.
 */
async function servedHere(db: Db, to: EdxmlOrgan[]): Promise<EdxmlOrgan[]> {
  const r = await db.query<{ code: string }>(`SELECT code FROM agencies WHERE code = ANY($1::text[]) AND reached_via = 'local'`, [to.map((t) => t.organId)]);
  const local = new Set(r.rows.map((x) => x.code));
  const mine = to.filter((t) => local.has(t.organId));
  if (mine.length === 0) {
    throw new DomainError(ErrorCode.UNKNOWN_RECIPIENT, `Không nơi nhận nào của gói (${to.map((t) => t.organId).join(', ').slice(0, 300)}) thuộc hệ thống này.`, [{ element: 'MessageHeader/To' }]);
  }
  return mine;
}

/** The sender of an axis message is an agency reached through the axis; a local agency cannot be spoken for from outside. */
async function learnSender(db: Db, code: string, name: string): Promise<void> {
  if (!CODE.test(code) || code.startsWith('SANDBOX.')) throw new DomainError(ErrorCode.INVALID_EDXML, `Mã nơi gửi ${code} không hợp lệ.`, [{ element: 'MessageHeader/From/OrganId' }]);
  const known = await findAgency(db, code);
  if (known?.reachedVia === 'local') {
    throw new DomainError(ErrorCode.FORBIDDEN, `Nơi gửi ${code} là cơ quan thuộc hệ thống này: gói đến từ trục không thể nhân danh cơ quan đó.`, [{ element: 'MessageHeader/From/OrganId' }]);
  }
  if (!known) await upsertRemoteAgency(db, { code, name: (name || code).slice(0, 500), reachedVia: 'axis' });
  else await db.query(`UPDATE agencies SET last_seen_at = now() WHERE code = $1`, [code]);
}

async function acknowledge(db: Db, client: AxisClient, docId: string, status: 'done' | 'fail'): Promise<void> {
  await client.updateStatus(docId, status);
  await db.query(`UPDATE axis_received SET acknowledged_at = now() WHERE axis_doc_id = $1`, [docId]);
}
