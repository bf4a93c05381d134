import { DispatchStatus, DocumentStatus, EdxmlStatusCode, ErrorCode, LedgerKind } from '../../../contracts';
import type { Tx } from '../../db/pool';
import { DomainError } from '../errors/domain-error';
import { enqueueRecipientStatus, enqueueStatusWebhook } from '../dispatches/status-webhook';
import { appendLedger } from '../ledger/ledger.repository';
import { markDocumentRevoked } from './document.repository';
import { revokeLiveCopies } from '../dispatches/dispatch.repository';

export interface RevokeResult {
  id: string;
  status: DocumentStatus;
  revokedDispatches: number;
}

/**
 * Thu hồi: the sender withdraws a document. Every live dispatch moves to revoked with a 13 event
 * on its timeline, so the document leaves the recipients' inbox lists; the rows stay for the
 * ledger and the audit. A document still in the pipeline stops there (each stage checks status).
 * Runs inside the caller's transaction (the edXML revoke message shares it with its own writes).
 */
export async function revokeDocument(tx: Tx, actingAgency: string, documentId: string, reason: string, actor: string): Promise<RevokeResult> {
  const d = await tx.query<{ sender: string; status: DocumentStatus }>(
    `SELECT sender_code AS sender, status FROM documents WHERE id = $1 FOR UPDATE`,
    [documentId],
  );
  const doc = d.rows[0];
  if (!doc || doc.sender !== actingAgency) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
  if (doc.status === DocumentStatus.revoked) {
    throw new DomainError(ErrorCode.CONFLICT, 'Văn bản đã được thu hồi.', [{ status: doc.status }]);
  }
  await markDocumentRevoked(tx, documentId, reason);
  const live = await revokeLiveCopies(tx, documentId);
  for (const x of live) {
    const event = await tx.query<{ id: number }>(`INSERT INTO dispatch_events (dispatch_id, code, actor, note) VALUES ($1, $2, $3, $4) RETURNING id`, [
      x.id,
      EdxmlStatusCode.takeBack,
      actor,
      reason,
    ]);
    await enqueueStatusWebhook(tx, event.rows[0]!.id);
    await enqueueRecipientStatus(tx, event.rows[0]!.id);
    await appendLedger(tx, {
      kind: LedgerKind.dispatchRevoked,
      documentId,
      dispatchId: x.id,
      sender: actingAgency,
      recipient: x.recipient,
      channel: x.channel,
      detail: { via: 'revoke', reason },
    });
  }
  await tx.query(`SELECT pg_notify('lienthong_dispatch', $1)`, [JSON.stringify({ documentId, status: DispatchStatus.revoked })]);
  return { id: documentId, status: DocumentStatus.revoked, revokedDispatches: live.length };
}
