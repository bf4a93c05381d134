import type { DocumentMetadata, DocumentStatus, Urgency } from '../../../contracts';
import type { Queryable } from '../../db/pool';

export interface DocumentRow {
  id: string;
  senderCode: string;
  documentType: string;
  number: string;
  notation: string;
  year: number;
  issuedOn: string;
  place: string;
  subject: string;
  summary: string | null;
  signer: DocumentMetadata['signer'];
  urgency: Urgency;
  dueOn: string | null;
  classification: string;
  recipientsRef: string[];
  recipientsText: string[];
  responseFor: string | null;
  steeringType: string | null;
  businessType: number;
  status: DocumentStatus;
  pageCount: number | null;
  lastError: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: Date;
  updatedAt: Date;
  signatureLevel: 'B-B' | 'B-T' | null;
  signatureNote: string | null;
  incomingSignature: unknown;
}

const COLUMNS = `id, sender_code AS "senderCode", document_type AS "documentType", number, notation, year,
  issued_on AS "issuedOn", place, subject, summary, signer, urgency, due_on AS "dueOn", classification,
  recipients_ref AS "recipientsRef", recipients_text AS "recipientsText", response_for AS "responseFor",
  steering_type AS "steeringType", business_type AS "businessType", status, page_count AS "pageCount",
  last_error AS "lastError", idempotency_key AS "idempotencyKey", request_hash AS "requestHash",
  created_at AS "createdAt", updated_at AS "updatedAt", signature_level AS "signatureLevel",
  signature_note AS "signatureNote", incoming_signature AS "incomingSignature"`;

export type NewDocument = Omit<
  DocumentRow,
  'status' | 'pageCount' | 'lastError' | 'createdAt' | 'updatedAt' | 'signatureLevel' | 'signatureNote' | 'incomingSignature'
>;

export async function insertDocument(tx: Queryable, d: NewDocument): Promise<void> {
  await tx.query(
    `INSERT INTO documents (id, sender_code, document_type, number, notation, year, issued_on, place, subject,
       summary, signer, urgency, due_on, classification, recipients_ref, recipients_text, response_for,
       steering_type, business_type, status, idempotency_key, request_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 'accepted', $20, $21)`,
    [
      d.id, d.senderCode, d.documentType, d.number, d.notation, d.year, d.issuedOn, d.place, d.subject,
      d.summary, JSON.stringify(d.signer), d.urgency, d.dueOn, d.classification, JSON.stringify(d.recipientsRef),
      JSON.stringify(d.recipientsText), d.responseFor, d.steeringType, d.businessType, d.idempotencyKey, d.requestHash,
    ],
  );
}

/** Unscoped load for the pipeline workers, which act for the system, not for an agency. */
export async function loadDocument(db: Queryable, id: string): Promise<DocumentRow | undefined> {
  const r = await db.query<DocumentRow>(`SELECT ${COLUMNS} FROM documents WHERE id = $1`, [id]);
  return r.rows[0];
}

/**
 * A document as the acting agency may see it: its sender, or a recipient with a live dispatch.
 * Anything else is "not found", so ids of other agencies' documents reveal nothing.
 */
export async function findDocumentFor(db: Queryable, actingAgency: string, id: string): Promise<{ doc: DocumentRow; asSender: boolean } | undefined> {
  const r = await db.query<DocumentRow & { asSender: boolean }>(
    `SELECT ${COLUMNS}, (sender_code = $1) AS "asSender" FROM documents d
      WHERE d.id = $2 AND (d.sender_code = $1 OR EXISTS (
        SELECT 1 FROM dispatches x WHERE x.document_id = d.id AND x.recipient_code = $1
           AND x.delivered_at IS NOT NULL AND x.status <> 'revoked'))`,
    [actingAgency, id],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const { asSender, ...doc } = row;
  return { doc, asSender };
}

export async function findByIdempotencyKey(db: Queryable, sender: string, key: string): Promise<{ id: string; requestHash: string | null; status: DocumentStatus } | undefined> {
  const r = await db.query(
    `SELECT id, request_hash AS "requestHash", status FROM documents WHERE sender_code = $1 AND idempotency_key = $2`,
    [sender, key],
  );
  return r.rows[0];
}

/**
 * Compare-and-set: moves the document only if it is still in `from`. Returns false when another
 * run already moved it, which is how a re-run stage learns it has nothing left to do.
 */
export async function moveDocumentStatus(
  tx: Queryable,
  id: string,
  from: DocumentStatus,
  to: DocumentStatus,
  extra: { pageCount?: number; lastError?: string | null } = {},
): Promise<boolean> {
  const r = await tx.query(
    `UPDATE documents SET status = $3, updated_at = now(),
       page_count = COALESCE($4, page_count), last_error = $5
     WHERE id = $1 AND status = $2`,
    [id, from, to, extra.pageCount ?? null, extra.lastError ?? null],
  );
  return (r.rowCount ?? 0) === 1;
}
