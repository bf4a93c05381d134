import type { Queryable } from '../../db/pool';
import { sealContent } from '../../signing/cms-seal';
import { hubSealIdentity } from './hub-seal';
import { RECEIPT_CODES, receiptBytes, type ReceiptContent } from './receipt-content';

export interface StoredReceipt {
  eventId: number;
  dispatchId: string;
  code: '01' | '03';
  content: Buffer;
  cms: Buffer;
}

export interface SealKeys {
  masterKey: Buffer;
  devMode: boolean;
}

const EVENT_SQL = `SELECT e.id AS "eventId", e.dispatch_id AS "dispatchId", x.document_id AS "documentId", d.sender_code AS sender,
       x.recipient_code AS recipient, e.code AS "statusCode", x.incoming_number AS "incomingNumber",
       to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
       (SELECT f.blob_sha256 FROM document_files f WHERE f.document_id = d.id AND f.role = 'signed') AS "signedDocumentSha256"
  FROM dispatch_events e JOIN dispatches x ON x.id = e.dispatch_id JOIN documents d ON d.id = x.document_id`;

/**
 * The receipt of one 01/03 event, signed with the hub's seal and stored the first time it is asked
 * for (by the notify stage, the receipts sweep, the API or an evidence export): its content is
 * built from the event, so whoever makes it first makes the same statement. undefined for an
 * event that has no receipt (another code).
 */
export async function ensureReceipt(db: Queryable, keys: SealKeys, eventId: number): Promise<StoredReceipt | undefined> {
  const have = await db.query<StoredReceipt>(`SELECT event_id AS "eventId", dispatch_id AS "dispatchId", code, content, cms FROM dispatch_receipts WHERE event_id = $1`, [eventId]);
  if (have.rows[0]) return have.rows[0];
  const r = await db.query<Omit<ReceiptContent, 'type' | 'version'>>(`${EVENT_SQL} WHERE e.id = $1`, [eventId]);
  const ev = r.rows[0];
  if (!ev || !(RECEIPT_CODES as readonly string[]).includes(ev.statusCode)) return undefined;
  const content = receiptBytes({
    type: 'lienthong-receipt', version: 1, ...ev, eventId: Number(ev.eventId), incomingNumber: ev.statusCode === '03' ? ev.incomingNumber : null,
  });
  const cms = sealContent(content, await hubSealIdentity(db, keys.masterKey, keys.devMode));
  await db.query(
    `INSERT INTO dispatch_receipts (event_id, dispatch_id, code, content, cms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING`,
    [eventId, ev.dispatchId, ev.statusCode, content, cms],
  );
  return (await db.query<StoredReceipt>(`SELECT event_id AS "eventId", dispatch_id AS "dispatchId", code, content, cms FROM dispatch_receipts WHERE event_id = $1`, [eventId])).rows[0];
}

/** The receipts of a document's dispatches (one recipient's only, when given), made first where missing. */
export async function receiptsOfDocument(db: Queryable, keys: SealKeys, documentId: string, onlyRecipient: string | null): Promise<StoredReceipt[]> {
  const events = await db.query<{ id: string }>(
    `SELECT e.id FROM dispatch_events e JOIN dispatches x ON x.id = e.dispatch_id
      WHERE x.document_id = $1 AND e.code IN ('01', '03') AND ($2::text IS NULL OR x.recipient_code = $2) ORDER BY e.id`,
    [documentId, onlyRecipient],
  );
  const out: StoredReceipt[] = [];
  for (const e of events.rows) {
    const r = await ensureReceipt(db, keys, Number(e.id));
    if (r) out.push(r);
  }
  return out;
}

/** 01/03 events without a receipt yet (the sweep signs them), oldest first. */
export async function eventsOwingReceipts(db: Queryable, limit: number): Promise<number[]> {
  const r = await db.query<{ id: string }>(
    `SELECT e.id FROM dispatch_events e WHERE e.code IN ('01', '03')
        AND NOT EXISTS (SELECT 1 FROM dispatch_receipts r WHERE r.event_id = e.id)
      ORDER BY e.id LIMIT $1`,
    [limit],
  );
  return r.rows.map((x) => Number(x.id));
}
