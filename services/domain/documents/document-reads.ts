import type { DocumentMetadata, DocumentStatus, Urgency } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import type { DocumentIdentity } from './document-identity';

// Reads of the `documents` table: a document's row, as the pipeline or an agency may see it.
// Its writes are in document.repository.ts.

export interface DocumentRow extends DocumentIdentity {
  id: string;
  place: string;
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
  signatureLevel: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA' | null;
  signatureNote: string | null;
  incomingSignature: unknown;
}

/** The columns of a DocumentRow, as selected from `documents`. */
export const DOCUMENT_COLUMNS = `id, sender_code AS "senderCode", document_type AS "documentType", number, notation, year,
  issued_on AS "issuedOn", place, subject, summary, signer, urgency, due_on AS "dueOn", classification,
  recipients_ref AS "recipientsRef", recipients_text AS "recipientsText", response_for AS "responseFor",
  steering_type AS "steeringType", business_type AS "businessType", status, page_count AS "pageCount",
  last_error AS "lastError", idempotency_key AS "idempotencyKey", request_hash AS "requestHash",
  created_at AS "createdAt", updated_at AS "updatedAt", signature_level AS "signatureLevel",
  signature_note AS "signatureNote", incoming_signature AS "incomingSignature"`;

/** Unscoped load for the pipeline workers, which act for the system, not for an agency. */
export async function loadDocument(db: Queryable, id: string): Promise<DocumentRow | undefined> {
  const r = await db.query<DocumentRow>(`SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE id = $1`, [id]);
  return r.rows[0];
}

/**
 * A document as the acting agency may see it: its sender, or a recipient with a live dispatch.
 * Anything else is "not found", so ids of other agencies' documents reveal nothing.
 */
export async function findDocumentFor(db: Queryable, actingAgency: string, id: string): Promise<{ doc: DocumentRow; asSender: boolean } | undefined> {
  const r = await db.query<DocumentRow & { asSender: boolean }>(
    `SELECT ${DOCUMENT_COLUMNS}, (sender_code = $1) AS "asSender" FROM documents d
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
