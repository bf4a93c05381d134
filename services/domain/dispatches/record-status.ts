import { DispatchStatus, EdxmlStatusCode, ErrorCode, LedgerKind } from '../../../contracts';
import { inTransaction, type Db, type Tx } from '../../db/pool';
import { DomainError } from '../errors/domain-error';
import { appendLedger } from '../ledger/ledger.repository';
import { registerIncoming, type RegistrationChoice } from '../registers/register-books';
import { addDispatchEvent, setRecordedStatus } from './dispatch.repository';
import { enqueueRecipientStatus, enqueueStatusWebhook } from './status-webhook';
import { checkTransition, type StatusActor } from './status-transitions';

export interface StatusInput {
  actingAgency: string;
  dispatchId: string;
  code: EdxmlStatusCode;
  note?: string | null | undefined;
  /** Who did it, for the timeline: a user name, or the agency system's key id. */
  actor: string;
  /** On 03: the register book and registration date the clerk chose (default book, today). */
  register?: RegistrationChoice | undefined;
}

export interface StatusResult {
  dispatchId: string;
  documentId: string;
  status: DispatchStatus;
  incomingNumber: string | null;
  recorded: boolean;
}

/**
 * Records one edXML status on a dispatch: checks who may post it and from which state, moves the
 * state, assigns the incoming number on 03, answers a take-back on 15/16, and writes the timeline
 * event — all in one transaction with the row locked, so two clerks cannot race one dispatch.
 */
export async function recordStatus(db: Db, s: StatusInput): Promise<StatusResult> {
  return inTransaction(db, (tx) => recordStatusIn(tx, s));
}

/** recordStatus inside the caller's transaction (the incoming flow writes its step with it). */
export async function recordStatusIn(tx: Tx, s: StatusInput): Promise<StatusResult> {
  {
    const r = await tx.query(
      `SELECT x.id, x.document_id AS "documentId", x.recipient_code AS recipient, x.status, x.channel,
              x.incoming_number AS "incomingNumber", x.pending_request AS "pendingRequest", d.sender_code AS sender
         FROM dispatches x JOIN documents d ON d.id = x.document_id
        WHERE x.id = $1 AND (x.recipient_code = $2 OR d.sender_code = $2) FOR UPDATE OF x`,
      [s.dispatchId, s.actingAgency],
    );
    const x = r.rows[0];
    if (!x) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy bản gửi (dispatch).');
    const actor: StatusActor = x.recipient === s.actingAgency ? 'recipient' : 'sender';
    if (x.status === DispatchStatus.pending || x.status === DispatchStatus.delivering) {
      throw new DomainError(ErrorCode.CONFLICT, 'Văn bản chưa đến nơi nhận; chưa thể cập nhật trạng thái.', [{ status: x.status }]);
    }
    if (s.code === EdxmlStatusCode.arrived && actor === 'recipient' && x.status === DispatchStatus.delivered) {
      // "Arrived" is what delivery itself recorded; a system confirming it again changes nothing.
      return { dispatchId: x.id, documentId: x.documentId, status: x.status, incomingNumber: x.incomingNumber, recorded: false };
    }
    const check = checkTransition(s.code, actor, x.status, x.pendingRequest);
    if (!check.ok) {
      throw new DomainError(ErrorCode.CONFLICT, `Chuyển trạng thái không hợp lệ: ${check.reason}.`, [
        { code: s.code, from: x.status, actor },
      ]);
    }
    let incomingNumber: string | null = x.incomingNumber;
    // A copy relayed to a peer hub, or sent through the national axis, is registered at the
    // recipient's own end, in its own books, not here.
    const here = x.channel !== 'relay' && x.channel !== 'axis';
    if (s.code === EdxmlStatusCode.accepted && !incomingNumber && here) {
      incomingNumber = await registerIncoming(tx, x.id, x.recipient, s.register);
    }
    if (s.code === EdxmlStatusCode.accepted && here) {
      // Registration opens the handling of the copy (issue 20): trình, assignment, processing.
      await tx.query(
        `INSERT INTO incoming_handling (dispatch_id, agency_code, stage) VALUES ($1, $2, 'registered') ON CONFLICT (dispatch_id) DO NOTHING`,
        [x.id, x.recipient],
      );
    }
    const pendingRequest =
      s.code === EdxmlStatusCode.takeBack ? 'takeback' : s.code === EdxmlStatusCode.agreeUpdate || s.code === EdxmlStatusCode.refuseUpdate ? null : x.pendingRequest;
    const status: DispatchStatus = check.to ?? x.status;
    await setRecordedStatus(tx, x.id, status, incomingNumber, pendingRequest);
    const eventId = await addDispatchEvent(tx, x.id, s.code, s.actor, s.note ?? null);
    await enqueueStatusWebhook(tx, eventId);
    await enqueueRecipientStatus(tx, eventId);
    if (status === DispatchStatus.revoked) {
      await appendLedger(tx, {
        kind: LedgerKind.dispatchRevoked,
        documentId: x.documentId,
        dispatchId: x.id,
        sender: x.sender,
        recipient: x.recipient,
        channel: x.channel,
        detail: { via: 'takeback' },
      });
    }
    await tx.query(`SELECT pg_notify('lienthong_dispatch', $1)`, [JSON.stringify({ dispatchId: x.id, documentId: x.documentId, status, code: s.code })]);
    return { dispatchId: x.id, documentId: x.documentId, status, incomingNumber, recorded: true };
  }
}
