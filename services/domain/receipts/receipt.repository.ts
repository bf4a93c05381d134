import { packBytes, unpackSql } from '../../db/packed-bytes';
import type { Queryable } from '../../db/pool';
import { sealContent } from '../../signing/cms-seal';
import type { SigningIdentity } from '../../signing/pades-signer';
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
       COALESCE((SELECT f.blob_sha256 FROM document_files f WHERE f.document_id = d.id AND f.role = 'signed'),
                -- made after a disposal removed the files: the signed PDF's hash the disposal kept
                (SELECT k->>'sha256' FROM disposals p, jsonb_array_elements(p.files) k
                  WHERE p.document_id = d.id AND p.status = 'disposed' AND k->>'role' = 'signed' LIMIT 1)) AS "signedDocumentSha256"
  FROM dispatch_events e JOIN dispatches x ON x.id = e.dispatch_id JOIN documents d ON d.id = x.document_id`;

const RECEIPT_COLUMNS = `event_id AS "eventId", dispatch_id AS "dispatchId", code, content, cms`;

/**
 * Receipts signed and inserted per statement. The proof scheduler asks for up to 500 at a time: in
 * one statement those were ~1.9 MB of parameters, which a pooled backend then kept as freed heap
 * (glibc keeps up to twice its largest recent block), one ~3.6 MB step per backend that ran it;
 * and the 500 signatures held the workers' event loop for their whole duration. Per 64: about
 * 240 KB a statement, and the loop gets a turn between slices.
 */
const RECEIPTS_PER_STATEMENT = 64;

type EventRow = Omit<ReceiptContent, 'type' | 'version'>;

/**
 * Signs and stores the receipts of the given 01/03 events that have none yet, with one opening of
 * the hub's key and one insert per RECEIPTS_PER_STATEMENT; other events are ignored. A receipt's
 * content is built from its event, so whoever makes it first (the notify stage, the sweep, the API,
 * an export) makes the same statement; a concurrent maker's row wins (ON CONFLICT DO NOTHING).
 */
export async function signMissingReceipts(db: Queryable, keys: SealKeys, eventIds: number[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  const r = await db.query<EventRow>(
    `${EVENT_SQL} WHERE e.id = ANY($1::bigint[]) AND e.code IN ('01', '03')
        AND NOT EXISTS (SELECT 1 FROM dispatch_receipts r WHERE r.event_id = e.id) ORDER BY e.id`,
    [eventIds],
  );
  if (r.rows.length === 0) return 0;
  const identity = await hubSealIdentity(db, keys.masterKey, keys.devMode);
  let inserted = 0;
  for (let i = 0; i < r.rows.length; i += RECEIPTS_PER_STATEMENT) {
    inserted += await insertReceipts(db, r.rows.slice(i, i + RECEIPTS_PER_STATEMENT), identity);
  }
  return inserted;
}

/** Seals each event's receipt and inserts them in one statement; returns how many were new. */
async function insertReceipts(db: Queryable, events: EventRow[], identity: SigningIdentity): Promise<number> {
  const ids: number[] = [];
  const dispatchIds: string[] = [];
  const codes: string[] = [];
  const contents: Buffer[] = [];
  const seals: Buffer[] = [];
  for (const ev of events) {
    const content = receiptBytes({
      type: 'lienthong-receipt', version: 1, ...ev, eventId: Number(ev.eventId), incomingNumber: ev.statusCode === '03' ? ev.incomingNumber : null,
    });
    ids.push(Number(ev.eventId));
    dispatchIds.push(ev.dispatchId);
    codes.push(ev.statusCode);
    contents.push(content);
    seals.push(sealContent(content, identity));
  }
  // The contents and seals travel packed, in binary (db/packed-bytes.ts): a bytea[] parameter
  // is a hex text literal the server must parse, 6× the CPU for a batch of 50.
  const content = packBytes(contents);
  const seal = packBytes(seals);
  const inserted = await db.query(
    `INSERT INTO dispatch_receipts (event_id, dispatch_id, code, content, cms)
     SELECT e, x, c, ${unpackSql('$4::bytea', 'cs', 'cl')}, ${unpackSql('$5::bytea', 'ss', 'sl')}
       FROM unnest($1::bigint[], $2::uuid[], $3::text[], $6::int[], $7::int[], $8::int[], $9::int[]) AS t(e, x, c, cs, cl, ss, sl)
     ON CONFLICT (event_id) DO NOTHING`,
    [ids, dispatchIds, codes, content.bytes, seal.bytes, content.starts, content.lengths, seal.starts, seal.lengths],
  );
  return inserted.rowCount ?? 0;
}

/** The receipt of one 01/03 event, made first when missing; undefined for an event of another code. */
export async function ensureReceipt(db: Queryable, keys: SealKeys, eventId: number): Promise<StoredReceipt | undefined> {
  const find = () => db.query<StoredReceipt>(`SELECT ${RECEIPT_COLUMNS} FROM dispatch_receipts WHERE event_id = $1`, [eventId]);
  const have = await find();
  if (have.rows[0]) return have.rows[0];
  await signMissingReceipts(db, keys, [eventId]);
  return (await find()).rows[0];
}

/** The receipts of a document's dispatches (one recipient's only, when given), made first where missing. */
export async function receiptsOfDocument(db: Queryable, keys: SealKeys, documentId: string, onlyRecipient: string | null): Promise<StoredReceipt[]> {
  const events = await db.query<{ id: string }>(
    `SELECT e.id FROM dispatch_events e JOIN dispatches x ON x.id = e.dispatch_id
      WHERE x.document_id = $1 AND e.code IN ('01', '03') AND ($2::text IS NULL OR x.recipient_code = $2) ORDER BY e.id`,
    [documentId, onlyRecipient],
  );
  const ids = events.rows.map((e) => Number(e.id));
  await signMissingReceipts(db, keys, ids);
  const r = await db.query<StoredReceipt>(`SELECT ${RECEIPT_COLUMNS} FROM dispatch_receipts WHERE event_id = ANY($1::bigint[]) ORDER BY event_id`, [ids]);
  return r.rows;
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
