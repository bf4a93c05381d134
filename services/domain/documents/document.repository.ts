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

/** The columns of a DocumentRow, as selected from `documents`. */
export const DOCUMENT_COLUMNS = `id, sender_code AS "senderCode", document_type AS "documentType", number, notation, year,
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

/** A file of an accepted document, as written by insertAcceptedDocument. */
export interface AcceptedFile {
  role: string;
  name: string | null;
  sha256: string;
  size: number;
  contentType: string;
  /** The bytes of a small file, stored inline by the same statement; absent: stored already (a chunked blob). */
  inline?: Buffer;
}

export interface AcceptedWrite {
  doc: Omit<NewDocument, 'number'> & {
    /** null: the next number of the sender's outgoing register for `year` is issued. */
    number: string | null;
    incomingSignature: unknown;
    body: unknown;
    sourceType: string;
    /** The sender's outgoing register book; null: the default book. */
    registerBookId?: string | null;
  };
  files: AcceptedFile[];
  dispatches: { id: string; code: string; viaGroup: string | null }[];
  outbox: { topic: string; payload: unknown; priority: number };
}

/**
 * Everything an accepted document is, in one statement (one round trip): the number register
 * (next number issued, or the given number observed so the register stays ahead of it), the
 * document, its small blobs and its files, one dispatch per recipient and the outbox row for the
 * next stage. Foreign keys are checked at the end of the statement, so the order is free. The
 * caller's transaction holds the register's row lock until it commits, so numbers have no gaps.
 * Returns the document's number.
 * Kept in step by hand: this statement writes dispatches and outbox rows itself (as insertDispatches
 * and addToOutbox do), and so do the stage writes in document-stages.repository.ts; a new column or rule in
 * those tables must be added here too.
 */
export async function insertAcceptedDocument(tx: Queryable, w: AcceptedWrite): Promise<string> {
  const params: unknown[] = [];
  const $ = (v: unknown, cast = ''): string => {
    params.push(v);
    return `$${params.length}${cast}`;
  };
  const d = w.doc;
  const inline = new Map<string, AcceptedFile>();
  for (const f of w.files) if (f.inline) inline.set(f.sha256, f);
  const blobs = [...inline.values()];
  const given = d.number === null ? null : Number.parseInt(d.number, 10);
  const id = $(d.id, '::uuid');
  const sql = `WITH reg AS (
      INSERT INTO number_registers (agency_code, year, kind, last_number)
      VALUES (${$(d.senderCode)}, ${$(d.year, '::int')}, 'outgoing', COALESCE(${$(given, '::int')}, 1))
      ON CONFLICT (agency_code, year, kind) DO UPDATE SET last_number = CASE WHEN ${$(given === null, '::boolean')}
        THEN number_registers.last_number + 1 ELSE GREATEST(number_registers.last_number, EXCLUDED.last_number) END
      RETURNING last_number
    ), doc AS (
      INSERT INTO documents (id, sender_code, document_type, number, notation, year, issued_on, place, subject,
         summary, signer, urgency, due_on, classification, recipients_ref, recipients_text, response_for,
         steering_type, business_type, status, idempotency_key, request_hash, incoming_signature, body, source_type, register_book_id)
      SELECT ${id}, ${$(d.senderCode, '::text')}, ${$(d.documentType, '::text')},
         COALESCE(${$(d.number, '::text')}, CASE WHEN reg.last_number < 10 THEN '0' || reg.last_number ELSE reg.last_number::text END),
         ${$(d.notation, '::text')}, ${$(d.year, '::int')}, ${$(d.issuedOn, '::date')}, ${$(d.place, '::text')}, ${$(d.subject, '::text')},
         ${$(d.summary, '::text')}, ${$(JSON.stringify(d.signer), '::jsonb')}, ${$(d.urgency, '::text')}, ${$(d.dueOn, '::date')},
         ${$(d.classification, '::text')}, ${$(JSON.stringify(d.recipientsRef), '::jsonb')}, ${$(JSON.stringify(d.recipientsText), '::jsonb')},
         ${$(d.responseFor, '::uuid')}, ${$(d.steeringType, '::text')}, ${$(d.businessType, '::smallint')}, 'accepted',
         ${$(d.idempotencyKey, '::text')}, ${$(d.requestHash, '::text')}, ${$(d.incomingSignature === null ? null : JSON.stringify(d.incomingSignature), '::jsonb')},
         ${$(d.body === null ? null : JSON.stringify(d.body), '::jsonb')}, ${$(d.sourceType, '::text')}, ${$(d.registerBookId ?? null, '::uuid')}
      FROM reg
      RETURNING number
    ), blob AS (
      INSERT INTO blobs (sha256, size, content_type, bytes)
      SELECT * FROM unnest(${$(blobs.map((b) => b.sha256), '::text[]')}, ${$(blobs.map((b) => b.size), '::bigint[]')},
                           ${$(blobs.map((b) => b.contentType), '::text[]')}, ${$(blobs.map((b) => b.inline), '::bytea[]')})
      ON CONFLICT (sha256) DO NOTHING
    ), files AS (
      INSERT INTO document_files (document_id, role, blob_sha256, name)
      SELECT ${id}, role, sha, name
        FROM unnest(${$(w.files.map((f) => f.role), '::text[]')}, ${$(w.files.map((f) => f.sha256), '::text[]')}, ${$(w.files.map((f) => f.name), '::text[]')}) AS t(role, sha, name)
    ), disp AS (
      INSERT INTO dispatches (id, document_id, recipient_code, via_group, status)
      SELECT x, ${id}, code, via, 'pending'
        FROM unnest(${$(w.dispatches.map((x) => x.id), '::uuid[]')}, ${$(w.dispatches.map((x) => x.code), '::text[]')}, ${$(w.dispatches.map((x) => x.viaGroup), '::text[]')}) AS t(x, code, via)
    ), ob AS (
      INSERT INTO outbox (topic, payload, priority)
      VALUES (${$(w.outbox.topic, '::text')}, ${$(JSON.stringify(w.outbox.payload), '::jsonb')}, ${$(w.outbox.priority, '::int')})
    )
    SELECT number FROM doc`;
  const r = await tx.query<{ number: string }>(sql, params);
  return r.rows[0]!.number;
}

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
