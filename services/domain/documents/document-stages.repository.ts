import type { DocumentStatus, Stage, Urgency } from '../../../contracts';
import { inTransaction, type Db, type Queryable } from '../../db/pool';
import { BLOB_CHUNK_BYTES, putBlob, sha256Hex, type BlobRef, type FileRow } from '../blobs/blob.repository';
import { outboxColumns, type OutboxMessage } from '../../pipeline/outbox.repository';
import { DOCUMENT_COLUMNS, type DocumentRow } from './document.repository';

// The pipeline stages' side of a document: each stage reads what it needs in one statement
// (loadForStage) and moves the document in one statement (advanceDocument, routeDocument), with a
// compare-and-set on its status so a re-run writes nothing.

/** A file of a document as a pipeline stage reads it: `bytes` is the content of a small (inline) blob the stage asked for. */
export interface StageFile extends FileRow {
  bytes: Buffer | null;
}

/** What a pipeline stage needs of a document, read in one statement (loadForStage). */
export interface StageRead {
  doc: DocumentRow;
  /** The structured body to render, or null. */
  body: unknown;
  /** Its files with their blobs' size and type, ordered by role (as listFiles). */
  files: StageFile[];
  senderName: string | null;
  /** The name of the sender's parent agency, if it has one. */
  parentName: string | null;
  /** The sender's current signing certificate (as currentCertificate chooses it), when asked for. */
  certificateId: string | null;
}

const STAGE_READ = `SELECT d.*, s.name AS "senderName", p.name AS "parentName", c.id AS "certificateId",
    f.role AS "fileRole", f.blob_sha256 AS "fileSha256", b.size AS "fileSize", b.content_type AS "fileContentType",
    f.name AS "fileName", CASE WHEN d.status = $2 AND f.role ~ $3 THEN b.bytes END AS "fileBytes"
  FROM (SELECT ${DOCUMENT_COLUMNS}, body FROM documents WHERE id = $1) d
  LEFT JOIN agencies s ON s.code = d."senderCode"
  LEFT JOIN agencies p ON p.code = s.parent_code
  LEFT JOIN LATERAL (
    SELECT ac.id FROM agency_certificates ac
     WHERE $4::boolean AND ac.agency_code = d."senderCode" AND ac.revoked_at IS NULL AND ac.not_before <= now() AND ac.not_after > now()
     ORDER BY ac.not_before DESC, ac.created_at DESC LIMIT 1) c ON true
  LEFT JOIN document_files f ON f.document_id = d.id
  LEFT JOIN blobs b ON b.sha256 = f.blob_sha256
 ORDER BY f.role`;

/**
 * Everything a pipeline stage reads, in one round trip: the document (as loadDocument), its body,
 * its files (as listFiles) with the bytes of the small blobs whose role matches `bytesOf` (a regular
 * expression; only while the document is in `status`, so a finished document costs no bytes), its
 * sender's and the sender's parent's names, and with `certificate` the id of the sender's current
 * signing certificate (the choice currentCertificate makes: newest valid, not revoked).
 */
export async function loadForStage(
  db: Queryable,
  id: string,
  opts: { status: DocumentStatus; bytesOf: string; certificate?: boolean },
): Promise<StageRead | undefined> {
  const r = await db.query(STAGE_READ, [id, opts.status, opts.bytesOf, opts.certificate ?? false]);
  const first = r.rows[0];
  if (!first) return undefined;
  const { body, senderName, parentName, certificateId, fileRole: _r, fileSha256: _s, fileSize: _z, fileContentType: _t, fileName: _n, fileBytes: _b, ...doc } = first;
  const files: StageFile[] = [];
  for (const row of r.rows) {
    if (row.fileRole === null) continue;
    files.push({ role: row.fileRole, sha256: row.fileSha256, size: row.fileSize, contentType: row.fileContentType, name: row.fileName, bytes: row.fileBytes });
  }
  return { doc: doc as DocumentRow, body, files, senderName, parentName, certificateId };
}

/** A blob a stage produced: small ones travel with the statement that moves the document. */
export interface StageBlob extends BlobRef {
  /** The content of a small blob (inline), inserted by the same statement as the move. */
  bytes?: Buffer;
  /** A large (chunked) blob: stored by this in the transaction of the move, before it. */
  store?: (tx: Queryable) => Promise<unknown>;
}

/** A stage's output in memory: inline when it fits in one chunk, else stored chunk by chunk (putBlob). */
export function stageBlob(bytes: Buffer, contentType: string): StageBlob {
  const ref = { sha256: sha256Hex(bytes), size: bytes.length, contentType };
  return bytes.length <= BLOB_CHUNK_BYTES ? { ...ref, bytes } : { ...ref, store: (tx) => putBlob(tx, bytes, contentType) };
}

export interface StageAdvance {
  id: string;
  from: DocumentStatus;
  to: DocumentStatus;
  pageCount?: number | undefined;
  /** Sets signature_level, signature_note and timestamp_expires_at (the sign stage). */
  signature?: { level: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA'; note: string | null; timestampExpiresAt?: Date | null } | undefined;
  blobs?: StageBlob[];
  /** Attached (or re-attached: the role's previous file is replaced), as attachFile does. */
  files?: { role: string; sha256: string; name: string | null }[];
  outbox: OutboxMessage[];
}

// The columns moveDocumentStatus sets, the signature fields, the new small blobs (one bytea holding
// them all, cut by offset: one binary parameter), the files and the outbox rows. Every write
// depends on `moved`, so when the compare-and-set finds the document moved already, nothing is written.
const ADVANCE = `WITH moved AS (
    UPDATE documents SET status = $3, updated_at = now(), page_count = COALESCE($4::int, page_count), last_error = NULL,
           signature_level = CASE WHEN $5::boolean THEN $6::text ELSE signature_level END,
           signature_note = CASE WHEN $5::boolean THEN $7::text ELSE signature_note END,
           timestamp_expires_at = CASE WHEN $5::boolean THEN $19::timestamptz ELSE timestamp_expires_at END
     WHERE id = $1 AND status = $2
    RETURNING id
  ), blob AS (
    INSERT INTO blobs (sha256, size, content_type, bytes)
    SELECT t.sha, t.size, t.ct, substring($8::bytea FROM t.off + 1 FOR t.size::int)
      FROM moved, unnest($9::text[], $10::bigint[], $11::text[], $12::int[]) AS t(sha, size, ct, off)
    ON CONFLICT (sha256) DO NOTHING
  ), files AS (
    INSERT INTO document_files (document_id, role, blob_sha256, name)
    SELECT moved.id, t.role, t.sha, t.name FROM moved, unnest($13::text[], $14::text[], $15::text[]) AS t(role, sha, name)
    ON CONFLICT (document_id, role) DO UPDATE SET blob_sha256 = EXCLUDED.blob_sha256, name = EXCLUDED.name
  ), ob AS (
    INSERT INTO outbox (topic, payload, priority)
    SELECT t.topic, t.payload, t.priority
      FROM moved, unnest($16::text[], $17::jsonb[], $18::int[]) WITH ORDINALITY AS t(topic, payload, priority, n)
     ORDER BY t.n
  )
  SELECT count(*)::int AS moved FROM moved`;

/**
 * A stage's whole state change in ONE statement, run in autocommit: the compare-and-set move
 * `from` → `to` (as moveDocumentStatus), the signature fields, the small blobs it produced, its
 * files and the outbox rows for what follows (as addToOutbox; the outbox trigger NOTIFYs the relays
 * at commit). Returns false, having written nothing, when the document was no longer in `from`.
 * Large (chunked) blobs need a transaction of their own: then the document's row is locked first
 * (nothing is stored when it has moved on), the chunks are written, and the same statement follows.
 */
export async function advanceDocument(db: Db, w: StageAdvance): Promise<boolean> {
  const unique = new Map<string, StageBlob>();
  for (const b of w.blobs ?? []) unique.set(b.sha256, b);
  const inline = [...unique.values()].filter((b) => b.bytes);
  const large = [...unique.values()].filter((b) => !b.bytes);
  const offsets: number[] = [];
  let at = 0;
  for (const b of inline) {
    offsets.push(at);
    at += b.size;
  }
  const bytes = inline.length === 1 ? inline[0]!.bytes! : Buffer.concat(inline.map((b) => b.bytes!));
  const files = w.files ?? [];
  const params = [
    w.id, w.from, w.to, w.pageCount ?? null, w.signature !== undefined, w.signature?.level ?? null, w.signature?.note ?? null,
    bytes, inline.map((b) => b.sha256), inline.map((b) => b.size), inline.map((b) => b.contentType), offsets,
    files.map((f) => f.role), files.map((f) => f.sha256), files.map((f) => f.name),
    ...outboxColumns(w.outbox),
    w.signature?.timestampExpiresAt ?? null,
  ];
  if (large.length === 0) {
    const r = await db.query<{ moved: number }>(ADVANCE, params);
    return r.rows[0]!.moved === 1;
  }
  return inTransaction(db, async (tx) => {
    const lock = await tx.query(`SELECT 1 FROM documents WHERE id = $1 AND status = $2 FOR UPDATE`, [w.id, w.from]);
    if (lock.rowCount !== 1) return false;
    for (const b of large) await b.store!(tx);
    const r = await tx.query<{ moved: number }>(ADVANCE, params);
    return r.rows[0]!.moved === 1;
  });
}

// The route stage's state change: the move, each pending dispatch's channel from the directory, and
// one deliver job per pending dispatch (in recipient order), whose payload is built here because the
// dispatches are read by this same statement: whatFollows(Stage.route, id, priority, dispatchIds).
const ROUTE = `WITH moved AS (
    UPDATE documents SET status = $3, updated_at = now(), last_error = NULL
     WHERE id = $1 AND status = $2
    RETURNING id, urgency
  ), channels AS (
    UPDATE dispatches x SET channel = a.channel, updated_at = now()
      FROM moved, agencies a WHERE x.document_id = moved.id AND a.code = x.recipient_code AND x.channel IS NULL
  ), ob AS (
    INSERT INTO outbox (topic, payload, priority)
    SELECT $4, jsonb_build_object('documentId', moved.id, 'dispatchId', x.id), COALESCE(p.priority, 0)
      FROM moved
      LEFT JOIN unnest($5::text[], $6::int[]) AS p(urgency, priority) ON p.urgency = moved.urgency
      JOIN dispatches x ON x.document_id = moved.id AND x.status = 'pending'
     ORDER BY x.recipient_code
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM ob)::int AS dispatches`;

/**
 * The route stage in ONE statement, in autocommit (see ROUTE). `priorities` maps each urgency to
 * its BullMQ priority (priorityOf). Returns the number of deliver jobs written, or null, having
 * written nothing, when the document was no longer in `from`.
 */
export async function routeDocument(
  db: Queryable,
  w: { id: string; from: DocumentStatus; to: DocumentStatus; topic: Stage; priorities: { urgency: Urgency; priority: number }[] },
): Promise<number | null> {
  const r = await db.query<{ moved: number; dispatches: number }>(ROUTE, [
    w.id, w.from, w.to, w.topic, w.priorities.map((p) => p.urgency), w.priorities.map((p) => p.priority),
  ]);
  const row = r.rows[0]!;
  return row.moved === 1 ? row.dispatches : null;
}
