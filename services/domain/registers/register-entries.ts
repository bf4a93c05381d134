import type { Queryable } from '../../db/pool';
import type { RegisterBook } from './register-books';

/** One line of the incoming register (Decree 30/2020, Appendix IV: sổ đăng ký văn bản đến). */
export interface IncomingEntry {
  dispatchId: string;
  documentId: string;
  registeredOn: string;
  incomingNumber: string;
  author: string;
  numberNotation: string;
  issuedOn: string;
  documentType: string;
  subject: string;
  handler: string | null;
  urgency: string;
}

/** One line of the outgoing register (sổ đăng ký văn bản đi). */
export interface OutgoingEntry {
  documentId: string;
  numberNotation: string;
  issuedOn: string;
  documentType: string;
  subject: string;
  signer: string;
  recipients: string;
  copies: number;
  status: string;
}

/** The incoming book's lines for a year, by số đến (numeric), then registration date. */
export async function incomingRegister(db: Queryable, agency: string, book: RegisterBook, year: number): Promise<IncomingEntry[]> {
  const r = await db.query<IncomingEntry>(
    `SELECT x.id AS "dispatchId", d.id AS "documentId", x.registered_on::text AS "registeredOn", x.incoming_number AS "incomingNumber",
            a.name AS author, d.number || '/' || d.notation AS "numberNotation", d.issued_on::text AS "issuedOn",
            d.document_type AS "documentType", d.subject, d.urgency,
            (SELECT regexp_replace(e.note, '^Giao ', '') FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '04' ORDER BY e.id DESC LIMIT 1) AS handler
       FROM dispatches x JOIN documents d ON d.id = x.document_id JOIN agencies a ON a.code = d.sender_code
      WHERE x.recipient_code = $1 AND x.registered_on IS NOT NULL AND x.incoming_number IS NOT NULL
        AND x.registered_on >= make_date($3, 1, 1) AND x.registered_on < make_date($3 + 1, 1, 1)
        AND (x.register_book_id = $2 OR ($4 AND x.register_book_id IS NULL))
      ORDER BY NULLIF(regexp_replace(x.incoming_number, '\\D', '', 'g'), '')::bigint NULLS LAST, x.registered_on, x.id`,
    [agency, book.id, year, book.isDefault],
  );
  return r.rows;
}

/**
 * One outgoing book's lines for a year: the agency's documents written into it (the default book
 * also holds those with no book), by number (numeric), with their recipients in Vietnamese order.
 */
export async function outgoingRegister(db: Queryable, agency: string, book: RegisterBook, year: number): Promise<OutgoingEntry[]> {
  const r = await db.query<OutgoingEntry>(
    `SELECT d.id AS "documentId", d.number || '/' || d.notation AS "numberNotation", d.issued_on::text AS "issuedOn",
            d.document_type AS "documentType", d.subject, d.status,
            concat_ws(' ', d.signer->>'authority', d.signer->>'position', d.signer->>'fullName') AS signer,
            COALESCE((SELECT string_agg(ra.name, '; ' ORDER BY ra.name COLLATE vi_vn) FROM dispatches y JOIN agencies ra ON ra.code = y.recipient_code
                       WHERE y.document_id = d.id), '') AS recipients,
            (SELECT count(*)::int FROM dispatches y WHERE y.document_id = d.id) AS copies
       FROM documents d
      WHERE d.sender_code = $1 AND d.year = $2
        AND (d.register_book_id = $3 OR ($4 AND d.register_book_id IS NULL))
      ORDER BY NULLIF(regexp_replace(d.number, '\\D', '', 'g'), '')::bigint NULLS LAST, d.created_at, d.id`,
    [agency, year, book.id, book.isDefault],
  );
  return r.rows;
}
