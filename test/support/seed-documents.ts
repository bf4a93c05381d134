import { DispatchStatus, LedgerKind, type Urgency } from '../../contracts';
import { inTransaction, type Db } from '../../services/db/pool';
import { recordDispatchOutcome } from '../../services/domain/dispatches/dispatch.repository';
import { acceptTestDocument, routeTestDocument } from './accepted-document.fixture';

export interface SeedDoc {
  subject: string;
  documentType?: string;
  notation?: string;
  urgency?: Urgency;
  dueOn?: string | null;
  issuedOn?: string;
  signer?: string;
  /** Extracted file text (document_texts). */
  content?: string;
}

/**
 * Documents from `sender` delivered to `recipient` (a hosted agency), made by the production
 * writes without the convert and sign stages: accepted (insertAcceptedDocument), routed (the route
 * stage's statement) and delivered (the deliver stage's outcome). Lists and search are what is
 * tested, not the pipeline. Delivery times are then set back one minute per document, so the
 * first is the newest. Returns the dispatch ids, newest first.
 */
export async function seedDelivered(db: Db, sender: string, recipient: string, docs: SeedDoc[], startNumber = 1): Promise<{ documentId: string; dispatchId: string }[]> {
  const out: { documentId: string; dispatchId: string }[] = [];
  const base = Date.now();
  for (const [i, d] of docs.entries()) {
    const { documentId, dispatchIds } = await inTransaction(db, (tx) =>
      acceptTestDocument(tx, {
        sender,
        recipients: [recipient],
        documentType: d.documentType ?? 'CV',
        number: String(startNumber + i).padStart(2, '0'),
        notation: d.notation ?? 'UBND-VP',
        issuedOn: d.issuedOn ?? '2026-11-20',
        place: 'Đắk Lắk',
        subject: d.subject,
        signer: { authority: 'TM.', position: 'CHỦ TỊCH', fullName: d.signer ?? 'Nguyễn Văn An' },
        urgency: d.urgency ?? 'normal',
        dueOn: d.dueOn ?? null,
      }),
    );
    const dispatchId = dispatchIds[0]!;
    await routeTestDocument(db, documentId);
    await recordDispatchOutcome(db, {
      dispatchId,
      from: [DispatchStatus.pending],
      to: DispatchStatus.delivered,
      delivered: true,
      event: { code: '01', actor: 'lienthong' },
      notify: JSON.stringify({ dispatchId, documentId, status: DispatchStatus.delivered }),
      ledger: { kind: LedgerKind.dispatchDelivered, documentId, sender, recipient, channel: 'hosted' },
    });
    // The chosen times (test data only): the pages order by them.
    const at = new Date(base - i * 60_000);
    await db.query(`UPDATE documents SET created_at = $2 WHERE id = $1`, [documentId, at]);
    await db.query(`UPDATE dispatches SET created_at = $2, delivered_at = $2 WHERE id = $1`, [dispatchId, at]);
    if (d.content) await db.query(`INSERT INTO document_texts (document_id, content) VALUES ($1, $2)`, [documentId, d.content]);
    out.push({ documentId, dispatchId });
  }
  return out;
}
