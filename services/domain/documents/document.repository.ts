import type { DocumentStatus, Stage, Urgency } from '../../../contracts';
import { packBytes, unpackSql } from '../../db/packed-bytes';
import { inTransaction, type Db, type Queryable } from '../../db/pool';
import type { BlobRef } from '../blobs/blob.repository';
import { outboxColumns, type OutboxMessage } from '../../pipeline/outbox.repository';
import { ledgerAppendAcceptedCall } from '../ledger/ledger.repository';
import type { DocumentRow } from './document-reads';

// The one writer of the `documents` table (issue 18): every INSERT and UPDATE of it is here
// (its reads are in document-reads.ts).
// Three statements here also write other tables in the same statement, for speed (one round trip,
// all or nothing): insertAcceptedDocument (the document, its dispatches and its outbox row),
// advanceDocument (a stage's move and its outbox rows), routeDocument (the move, the dispatches'
// channels and the deliver jobs) and failInFlightDocument (the document and its pending copies).
// Each is marked "Combined statement"; the other tables' own writers are dispatch.repository.ts
// and pipeline/outbox.repository.ts.

export type NewDocument = Omit<
  DocumentRow,
  'status' | 'pageCount' | 'lastError' | 'createdAt' | 'updatedAt' | 'signatureLevel' | 'signatureNote' | 'incomingSignature'
>;

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
  /**
   * Append the document_accepted row ({number, notation, year, recipients}) last in the same
   * statement (issue 25): run on the pool, the statement is the whole intake, one round trip.
   */
  appendAccepted?: { recipients: number };
}

/**
 * Combined statement (documents, dispatches, outbox).
 * Everything an accepted document is, in one statement (one round trip): the number register
 * (next number issued, or the given number observed so the register stays ahead of it), the
 * document, its small blobs and its files, one dispatch per recipient and the outbox row for the
 * next stage. Foreign keys are checked at the end of the statement, so the order is free. The
 * caller's transaction holds the register's row lock until it commits, so numbers have no gaps.
 * Returns the document's number.
 * This is the only way a document (and its first dispatches) comes into being, in production and in
 * the tests' fixtures alike. It writes dispatches and outbox rows itself (as addToOutbox does):
 * a new column or rule of those tables must be added here too.
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
  // The small files' bytes travel packed, in binary (db/packed-bytes.ts), not as a bytea[] literal.
  const packed = packBytes(blobs.map((b) => b.inline));
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
      SELECT sha, size, ct, ${unpackSql($(packed.bytes, '::bytea'), 'bs', 'bl')}
        FROM unnest(${$(blobs.map((b) => b.sha256), '::text[]')}, ${$(blobs.map((b) => b.size), '::bigint[]')},
                    ${$(blobs.map((b) => b.contentType), '::text[]')}, ${$(packed.starts, '::int[]')}, ${$(packed.lengths, '::int[]')}) AS t(sha, size, ct, bs, bl)
      ON CONFLICT (sha256) DO NOTHING
      RETURNING 1
    ), files AS (
      INSERT INTO document_files (document_id, role, blob_sha256, name)
      SELECT ${id}, role, sha, name
        FROM unnest(${$(w.files.map((f) => f.role), '::text[]')}, ${$(w.files.map((f) => f.sha256), '::text[]')}, ${$(w.files.map((f) => f.name), '::text[]')}) AS t(role, sha, name)
      RETURNING 1
    ), disp AS (
      INSERT INTO dispatches (id, document_id, recipient_code, via_group, status)
      SELECT x, ${id}, code, via, 'pending'
        FROM unnest(${$(w.dispatches.map((x) => x.id), '::uuid[]')}, ${$(w.dispatches.map((x) => x.code), '::text[]')}, ${$(w.dispatches.map((x) => x.viaGroup), '::text[]')}) AS t(x, code, via)
      RETURNING 1
    ), ob AS (
      INSERT INTO outbox (topic, payload, priority)
      VALUES (${$(w.outbox.topic, '::text')}, ${$(JSON.stringify(w.outbox.payload), '::jsonb')}, ${$(w.outbox.priority, '::int')})
      RETURNING 1
    )${w.appendAccepted ? acceptedLedgerTail(w, id, $) : '\n    SELECT number FROM doc'}`;
  const r = await tx.query<{ number: string }>(sql, params);
  return r.rows[0]!.number;
}

/**
 * The end of insertAcceptedDocument's statement when it appends the accept row: every other write
 * of the statement is read to completion first (`written`), so the ledger's chain lock is taken
 * last, as a transaction's last statement would take it.
 */
function acceptedLedgerTail(w: AcceptedWrite, id: string, $: (v: unknown, cast?: string) => string): string {
  const call = ledgerAppendAcceptedCall({
    documentId: id,
    sender: $(w.doc.senderCode, '::text'),
    number: 'doc.number',
    notation: $(w.doc.notation, '::text'),
    year: $(w.doc.year, '::int'),
    recipients: $(w.appendAccepted!.recipients, '::int'),
  });
  return `, written AS MATERIALIZED (
      SELECT (SELECT count(*) FROM blob) + (SELECT count(*) FROM files) + (SELECT count(*) FROM disp) + (SELECT count(*) FROM ob) AS n
    )
    SELECT doc.number, ${call} AS appended FROM doc, written`;
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

/** A blob a stage produced: small ones travel with the statement that moves the document. */
export interface StageBlob extends BlobRef {
  /** The content of a small blob (inline), inserted by the same statement as the move. */
  bytes?: Buffer;
  /** A large (chunked) blob: stored by this in the transaction of the move, before it. */
  store?: (tx: Queryable) => Promise<unknown>;
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
  /** The text for search (the convert stage), kept once: the first extraction wins, its trigger re-indexes the document. */
  text?: string | null | undefined;
}

// Combined statement (documents, outbox, document_texts). The columns moveDocumentStatus sets, the signature fields, the new small blobs (one bytea holding
// them all, cut by offset: one binary parameter), the files, the outbox rows and the text kept for
// search (kept once, the first extraction wins; its trigger re-indexes the document). Every write
// depends on `moved`, so when the compare-and-set finds the document moved already, nothing is written.
const ADVANCE_MOVED = `moved AS (
    UPDATE documents SET status = $3, updated_at = now(), page_count = COALESCE($4::int, page_count), last_error = NULL,
           signature_level = CASE WHEN $5::boolean THEN $6::text ELSE signature_level END,
           signature_note = CASE WHEN $5::boolean THEN $7::text ELSE signature_note END,
           timestamp_expires_at = CASE WHEN $5::boolean THEN $19::timestamptz ELSE timestamp_expires_at END
     WHERE id = $1 AND status = $2
    RETURNING id, urgency
  )`;
const ADVANCE_WRITES = `blob AS (
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
  ), txt AS (
    INSERT INTO document_texts (document_id, content) SELECT moved.id, $20 FROM moved WHERE $20::text IS NOT NULL
    ON CONFLICT (document_id) DO NOTHING
  )`;
/** The number of ADVANCE's parameters: a statement that adds parts after it numbers theirs from here. */
const ADVANCE_PARAMS = 20;
const ADVANCE = `WITH ${ADVANCE_MOVED}, ${ADVANCE_WRITES}
  SELECT count(*)::int AS moved FROM moved`;

/**
 * A stage's whole state change in ONE statement, run in autocommit: the compare-and-set move
 * `from` → `to` (as moveDocumentStatus), the signature fields, the small blobs it produced, its
 * files, the outbox rows for what follows (as addToOutbox; the outbox trigger NOTIFYs the relays
 * at commit) and the text kept for search. Returns false, having written nothing, when the document was no longer in `from`.
 * Large (chunked) blobs need a transaction of their own: then the document's row is locked first
 * (nothing is stored when it has moved on), the chunks are written, and the same statement follows.
 */
export async function advanceDocument(db: Db, w: StageAdvance): Promise<boolean> {
  const r = await runAdvance<{ moved: number }>(db, w, ADVANCE, []);
  return r?.moved === 1;
}

/**
 * Runs `sql` (ADVANCE, or a statement that extends it: ADVANCE_ROUTE) with the move's parameters,
 * then `extra` ($21 on). Large blobs first, in a transaction that locks the document's row while it
 * is still in `from`: undefined (nothing written) when it is not.
 */
async function runAdvance<R extends object>(db: Db, w: StageAdvance, sql: string, extra: unknown[]): Promise<R | undefined> {
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
    w.text ?? null,
    ...extra,
  ];
  if (large.length === 0) return (await db.query<R>(sql, params)).rows[0];
  return inTransaction(db, async (tx) => {
    const lock = await tx.query(`SELECT 1 FROM documents WHERE id = $1 AND status = $2 FOR UPDATE`, [w.id, w.from]);
    if (lock.rowCount !== 1) return undefined;
    for (const b of large) await b.store!(tx);
    return (await tx.query<R>(sql, params)).rows[0];
  });
}

// Combined statement (documents, dispatches, outbox). The route stage's state change: the move, each
// pending dispatch's channel from the directory, and the deliver jobs (issue 25): ONE for all the
// pending copies on the hosted channel ({documentId, hosted: true}), first, then one per other
// pending copy ({documentId, dispatchId}, in recipient order). Their payloads are built here because
// the dispatches are read by this same statement: whatFollows(Stage.route, id, priority, deliveries).
// The channel is the one the `channels` part sets (the directory's) unless the copy had one
// already: a data-modifying CTE's rows are not visible to its siblings, so it is computed again.
// With $7 (hostedInline) the hosted job is left out: the route job delivers those copies itself
// (workers/runtime/stage-chain.ts). The document's status is read and returned only for a route
// that moved nothing (a job run again after its move).
const ROUTE_MOVED = `moved AS (
    UPDATE documents SET status = $3, updated_at = now(), last_error = NULL
     WHERE id = $1 AND status = $2
    RETURNING id, urgency
  )`;
/** The route's parts after `moved`; `$` numbers its four parameters (topic, urgencies, priorities, hostedInline). */
const routeParts = ($: (n: 1 | 2 | 3 | 4) => string): string => `channels AS (
    UPDATE dispatches x SET channel = a.channel, updated_at = now()
      FROM moved, agencies a WHERE x.document_id = moved.id AND a.code = x.recipient_code AND x.channel IS NULL
  ), pending AS (
    SELECT x.id, x.recipient_code, COALESCE(x.channel, a.channel, 'hosted') = 'hosted' AS hosted
      FROM moved JOIN dispatches x ON x.document_id = moved.id AND x.status = 'pending'
      LEFT JOIN agencies a ON a.code = x.recipient_code
  ), deliveries AS (
    INSERT INTO outbox (topic, payload, priority)
    SELECT ${$(1)}, j.payload, COALESCE(p.priority, 0)
      FROM moved
      LEFT JOIN unnest(${$(2)}::text[], ${$(3)}::int[]) AS p(urgency, priority) ON p.urgency = moved.urgency
      CROSS JOIN LATERAL (
        SELECT jsonb_build_object('documentId', moved.id, 'hosted', true) AS payload, 0 AS k, '' AS recipient
         WHERE EXISTS (SELECT 1 FROM pending WHERE pending.hosted) AND NOT ${$(4)}::boolean
        UNION ALL
        SELECT jsonb_build_object('documentId', moved.id, 'dispatchId', pending.id), 1, pending.recipient_code
          FROM pending WHERE NOT pending.hosted
      ) j
     ORDER BY j.k, j.recipient
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM pending)::int AS dispatches,
         (SELECT count(*) FROM pending WHERE pending.hosted)::int AS hosted, (SELECT count(*) FROM deliveries)::int AS jobs,
         CASE WHEN NOT EXISTS (SELECT 1 FROM moved) THEN (SELECT status FROM documents WHERE id = $1) END AS status`;
const ROUTE = `WITH ${ROUTE_MOVED}, ${routeParts((n) => `$${3 + n}`)}`;
// An earlier stage's move carried into the route step (workers/runtime/stage-chain.ts): ADVANCE's
// parts with its status set to the route's target, then the route's, in one statement.
const ADVANCE_ROUTE = `WITH ${ADVANCE_MOVED}, ${ADVANCE_WRITES}, ${routeParts((n) => `$${ADVANCE_PARAMS + n}`)}`;

/**
 * The route stage in ONE statement, in autocommit (see ROUTE). `priorities` maps each urgency to
 * its BullMQ priority (priorityOf); with `hostedInline` no job is written for the hosted copies (the
 * caller delivers them). Returns the number of copies routed, of them hosted, and of deliver jobs
 * written; `moved` false, having written nothing, when the document was no longer in `from` (then
 * `status` is where it is, undefined when it does not exist).
 */
export async function routeDocument(
  db: Queryable,
  w: RouteWork & { id: string; from: DocumentStatus },
): Promise<Routed> {
  return routed((await db.query<RouteRow>(ROUTE, [w.id, w.from, w.to, ...routeParams(w)])).rows[0]);
}

/**
 * The route with an earlier stage's move not committed yet (workers/runtime/stage-chain.ts): both in
 * ONE statement (ADVANCE_ROUTE), from the move's `from` to `w.to`; the rest as routeDocument.
 */
export async function advanceAndRoute(db: Db, move: StageAdvance, w: RouteWork): Promise<Routed> {
  return routed(await runAdvance<RouteRow>(db, { ...move, to: w.to }, ADVANCE_ROUTE, routeParams(w)));
}

type RouteWork = { topic: Stage; priorities: { urgency: Urgency; priority: number }[]; hostedInline?: boolean; to: DocumentStatus };
type RouteRow = { moved: number; dispatches: number; hosted: number; jobs: number; status: DocumentStatus | null };
type Routed = { moved: boolean; dispatches: number; hosted: number; jobs: number; status: DocumentStatus | undefined };

function routeParams(w: RouteWork): unknown[] {
  return [w.topic, w.priorities.map((p) => p.urgency), w.priorities.map((p) => p.priority), w.hostedInline ?? false];
}

function routed(row: RouteRow | undefined): Routed {
  if (!row) return { moved: false, dispatches: 0, hosted: 0, jobs: 0, status: undefined };
  return { moved: row.moved === 1, dispatches: row.dispatches, hosted: row.hosted, jobs: row.jobs, status: row.status ?? undefined };
}

/**
 * Combined statement (documents, dispatches). Marks an in-flight document (`inFlight`) failed at
 * `stage` with the reason, and its pending copies with it, in one statement (autocommit): the
 * copies only when the document was still in flight. The stage is kept for an operator retry.
 */
export async function failInFlightDocument(db: Queryable, id: string, reason: string, stage: string, inFlight: readonly string[]): Promise<void> {
  await db.query(
    `WITH failed AS (
       UPDATE documents SET status = 'failed', last_error = $2, failed_stage = $3, updated_at = now()
        WHERE id = $1 AND status = ANY($4::text[])
       RETURNING id
     )
     UPDATE dispatches x SET status = 'failed', last_error = $2, updated_at = now()
       FROM failed WHERE x.document_id = failed.id AND x.status = 'pending'`,
    [id, reason.slice(0, 2000), stage, inFlight],
  );
}

/** An operator retry of a failed document: back to `status` (before its failed stage). False when it was not failed. */
export async function reopenFailedDocument(tx: Queryable, id: string, status: DocumentStatus): Promise<boolean> {
  const r = await tx.query(`UPDATE documents SET status = $2, last_error = NULL, failed_stage = NULL, updated_at = now() WHERE id = $1 AND status = 'failed'`, [id, status]);
  return r.rowCount === 1;
}

/** The sender revokes its document (the caller holds the row lock and checked it may). */
export async function markDocumentRevoked(tx: Queryable, id: string, reason: string): Promise<void> {
  await tx.query(`UPDATE documents SET status = 'revoked', revoked_at = now(), revoke_reason = $2, updated_at = now() WHERE id = $1`, [id, reason]);
}

/** A response of type 3 (replacement) was accepted: the routed document it replaces is `replaced`. */
export async function markDocumentReplaced(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE documents SET status = 'replaced', updated_at = now() WHERE id = $1 AND status = 'routed'`, [id]);
}

/** A renewed archive timestamp: its expiry, and B-LTA once nothing is missing for it. */
export async function recordTimestampRenewal(tx: Queryable, id: string, expiresAt: Date | null, complete: boolean): Promise<void> {
  await tx.query(
    `UPDATE documents SET timestamp_expires_at = $2, updated_at = now(),
            signature_level = CASE WHEN $3::boolean THEN 'B-LTA' ELSE signature_level END WHERE id = $1`,
    [id, expiresAt, complete],
  );
}

/** The retention disposal removed the document's files (its record and ledger rows stay). */
export async function markDocumentDisposed(tx: Queryable, id: string): Promise<void> {
  await tx.query(`UPDATE documents SET disposed_at = now(), updated_at = now() WHERE id = $1`, [id]);
}
