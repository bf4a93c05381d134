import { randomUUID } from 'node:crypto';
import type { Db } from '../../services/db/pool';

export interface SeedDoc {
  subject: string;
  documentType?: string;
  notation?: string;
  urgency?: string;
  dueOn?: string | null;
  issuedOn?: string;
  signer?: string;
  /** Extracted file text (document_texts). */
  content?: string;
}

/**
 * Documents from `sender` delivered to `recipient`, written straight into the tables (as the
 * bench does): lists and search are what is tested, not the pipeline. Delivery times go back one
 * minute per document, so the first is the newest. Returns the dispatch ids, newest first.
 */
export async function seedDelivered(db: Db, sender: string, recipient: string, docs: SeedDoc[], startNumber = 1): Promise<{ documentId: string; dispatchId: string }[]> {
  const out: { documentId: string; dispatchId: string }[] = [];
  const base = Date.now();
  for (const [i, d] of docs.entries()) {
    const documentId = randomUUID();
    const dispatchId = randomUUID();
    await db.query(
      `INSERT INTO documents (id, sender_code, document_type, number, notation, year, issued_on, place, subject, signer, urgency, due_on,
                              recipients_ref, status, created_at)
       VALUES ($1, $2, $3, $4, $5, 2026, $6, 'Đắk Lắk', $7, $8, $9, $10, $11, 'routed', $12)`,
      [documentId, sender, d.documentType ?? 'CV', String(startNumber + i).padStart(2, '0'), d.notation ?? 'UBND-VP', d.issuedOn ?? '2026-11-20', d.subject,
       JSON.stringify({ authority: 'TM.', position: 'CHỦ TỊCH', fullName: d.signer ?? 'Nguyễn Văn An' }), d.urgency ?? 'normal', d.dueOn ?? null,
       JSON.stringify([recipient]), new Date(base - i * 60_000)],
    );
    await db.query(
      `INSERT INTO dispatches (id, document_id, recipient_code, channel, status, delivered_at, created_at)
       VALUES ($1, $2, $3, 'hosted', 'delivered', $4, $4)`,
      [dispatchId, documentId, recipient, new Date(base - i * 60_000)],
    );
    if (d.content) await db.query(`INSERT INTO document_texts (document_id, content) VALUES ($1, $2)`, [documentId, d.content]);
    out.push({ documentId, dispatchId });
  }
  return out;
}
