import type { Queryable } from '../../db/pool';
import type { ResolvedRecipient } from '../agencies/resolve-recipients';
import type { DocumentIdentity } from '../documents/document-identity';
import { newRowId } from '../../db/row-id';

export interface NewPaperDocument extends DocumentIdentity {
  id: string;
  sentOn: string;
  recordedBy: string | null;
}

export async function insertPaperDocument(tx: Queryable, p: NewPaperDocument): Promise<void> {
  await tx.query(
    `INSERT INTO paper_documents (id, sender_code, document_type, number, notation, year, issued_on, subject, sent_on, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [p.id, p.senderCode, p.documentType, p.number, p.notation, p.year, p.issuedOn, p.subject, p.sentOn, p.recordedBy],
  );
}

/** One row per recipient copy; returns the ids in the order of `recipients`. */
export async function insertPaperDispatches(tx: Queryable, paperDocumentId: string, recipients: ResolvedRecipient[]): Promise<string[]> {
  const ids = recipients.map(() => newRowId());
  await tx.query(
    `INSERT INTO paper_dispatches (id, paper_document_id, recipient_code, via_group)
     SELECT id, $2, code, via FROM unnest($1::uuid[], $3::text[], $4::text[]) AS t(id, code, via)`,
    [ids, paperDocumentId, recipients.map((r) => r.code), recipients.map((r) => r.viaGroup)],
  );
  return ids;
}

/** Paper and electronic documents share the sender's yearly numbers: either one takes a number. */
export async function findNumberHolder(
  db: Queryable,
  sender: string,
  year: number,
  number: string,
): Promise<{ id: string; notation: string; onPaper: boolean } | undefined> {
  const r = await db.query(
    `SELECT id, notation, false AS "onPaper" FROM documents WHERE sender_code = $1 AND year = $2 AND lienthong_number_key(number) = lienthong_number_key($3)
     UNION ALL
     SELECT id, notation, true FROM paper_documents WHERE sender_code = $1 AND year = $2 AND lienthong_number_key(number) = lienthong_number_key($3)
     LIMIT 1`,
    [sender, year, number],
  );
  return r.rows[0];
}
