import type { Channel, DispatchStatus, DispatchView } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { ledgerAppendArgs, ledgerAppendCall, ledgerAppendManySql, type LedgerEntry } from '../ledger/ledger.repository';
import { OPEN_DISPATCH_STATUSES } from '../../pipeline/stage-order';
import { INTERRUPTED_ATTEMPT_ERROR } from './attempt-outcome';

export interface DispatchRow {
  id: string;
  documentId: string;
  recipientCode: string;
  viaGroup: string | null;
  channel: Channel | null;
  status: DispatchStatus;
  incomingNumber: string | null;
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
}

// The one writer of the `dispatches` table (issue 18): every UPDATE of it is here (the first rows
// are inserted with their document by insertAcceptedDocument, and the route stage and a failed
// document move theirs in the documents' combined statements, document.repository.ts). A
// delivery's outcome, success or failure, is the SQL function record_dispatch_outcome(), called
// only from here, in one statement with the ledger's own call for the outcome's row.

const COLUMNS = `id, document_id AS "documentId", recipient_code AS "recipientCode", via_group AS "viaGroup",
  channel, status, incoming_number AS "incomingNumber", attempts, last_error AS "lastError", delivered_at AS "deliveredAt"`;

export async function loadDispatch(db: Queryable, id: string): Promise<DispatchRow | undefined> {
  const r = await db.query<DispatchRow>(`SELECT ${COLUMNS} FROM dispatches WHERE id = $1`, [id]);
  return r.rows[0];
}

export async function listDispatchesOf(db: Queryable, documentId: string): Promise<DispatchRow[]> {
  const r = await db.query<DispatchRow>(`SELECT ${COLUMNS} FROM dispatches WHERE document_id = $1 ORDER BY recipient_code`, [documentId]);
  return r.rows;
}

/** A dispatch with what the deliver stage needs of its document, in one read. */
export interface DispatchForDelivery extends DispatchRow {
  documentStatus: string;
  senderCode: string;
  /** The sender's own channel: a push sender is owed the arrival webhook. */
  senderChannel: string;
}

export async function loadDispatchForDelivery(db: Queryable, id: string): Promise<DispatchForDelivery | undefined> {
  const r = await db.query<DispatchForDelivery>(
    `SELECT x.id, x.document_id AS "documentId", x.recipient_code AS "recipientCode", x.via_group AS "viaGroup",
            x.channel, x.status, x.incoming_number AS "incomingNumber", x.attempts, x.last_error AS "lastError",
            x.delivered_at AS "deliveredAt", d.status AS "documentStatus", d.sender_code AS "senderCode",
            (SELECT s.channel FROM agencies s WHERE s.code = d.sender_code) AS "senderChannel"
       FROM dispatches x JOIN documents d ON d.id = x.document_id WHERE x.id = $1`,
    [id],
  );
  return r.rows[0];
}

export interface DispatchOutcome {
  dispatchId: string;
  /** The compare-and-set: the move happens only from one of these states. */
  from: DispatchStatus[];
  to: DispatchStatus;
  /** Sets delivered_at (the inbox shows the copy from then on). */
  delivered: boolean;
  /** The paper packet, attached with the move (one per dispatch: a second attach replaces it). */
  packet?: { role: string; sha256: string } | undefined;
  event: { code: string; actor: string };
  /** The payload NOTIFYed on 'lienthong_dispatch' (listeners parse it: keep it stable). */
  notify: string;
  /** The ledger row (its dispatch is this one). */
  ledger: Omit<LedgerEntry, 'dispatchId'>;
  /** A failure: the dispatch's last error (a success clears it). */
  lastError?: string | undefined;
  /** The timeline event's note. */
  note?: string | undefined;
}

/**
 * A delivery's outcome in ONE statement: record_dispatch_outcome() (migration 0077) makes the
 * status move (the columns moveDispatchStatus sets; no next attempt is due any more), the packet,
 * the timeline event and the NOTIFY; when it moved the dispatch, the ledger's own call
 * (ledgerAppendCall) appends the row, last, so the chain's lock is taken last. Successes and final
 * failures alike. Run it on the pool, not in a transaction: in autocommit the lock is held only
 * inside the server until the implicit commit. Returns false, having written nothing, when the
 * dispatch had already left `from` (a re-run, a revoke).
 */
export async function recordDispatchOutcome(db: Queryable, o: DispatchOutcome): Promise<boolean> {
  const r = await db.query<{ moved: boolean }>(
    // CASE evaluates its condition first, and the ledger call only when it holds.
    `SELECT CASE WHEN record_dispatch_outcome($1, $2::text[], $3, $4, $5, $6, $7, $8, $9, $10, $11)
            THEN ${ledgerAppendCall(12)} IS NOT NULL ELSE false END AS moved`,
    [
      o.dispatchId, o.from, o.to, o.delivered, o.packet?.role ?? null, o.packet?.sha256 ?? null, o.event.code, o.event.actor, o.notify,
      o.lastError?.slice(0, 2000) ?? null, o.note?.slice(0, 500) ?? null,
      ...ledgerAppendArgs({ ...o.ledger, dispatchId: o.dispatchId }),
    ],
  );
  return r.rows[0]!.moved === true;
}

export interface HostedOutcome {
  documentId: string;
  /** The compare-and-set: each copy moves only from one of these states. */
  from: DispatchStatus[];
  to: DispatchStatus;
  /** Sets delivered_at (the inbox shows the copy from then on). */
  delivered: boolean;
  /** Only when the document is `routed` (a delivery); a final failure records whatever is open. */
  routedOnly: boolean;
  event: { code: string; actor: string };
  /** The ledger row's kind (one per copy moved, on the sender's chain). */
  kind: string;
  lastError?: string | undefined;
  note?: string | undefined;
}

/**
 * The outcome of every open hosted copy of a document in ONE statement: record_hosted_outcomes()
 * (migration 0089) makes the moves, one timeline event and one NOTIFY per copy; the ledger's own
 * call (ledgerAppendManySql) then appends their rows in recipient order under one acquisition of
 * the sender's chain lock, last. Run it on the pool (its own transaction). Returns the copies moved
 * (none, having written nothing, on a re-run, after a revoke, or when the document is not routed
 * and `routedOnly`), with the sender's channel.
 */
export async function recordHostedOutcomes(db: Queryable, o: HostedOutcome): Promise<{ dispatchId: string; recipientCode: string; senderChannel: string }[]> {
  const r = await db.query<{ dispatchId: string; recipientCode: string; senderChannel: string; written: number | null }>(
    `WITH moved AS MATERIALIZED (
       SELECT * FROM record_hosted_outcomes($1, $2::text[], $3, $4, $5, $6, $7, $8, $9, $10)
     ), appended AS MATERIALIZED (
       ${ledgerAppendManySql('moved')}
     )
     SELECT m.dispatch_id AS "dispatchId", m.recipient AS "recipientCode", m.sender_channel AS "senderChannel",
            (SELECT sum(a.written)::int FROM appended a) AS written
       FROM moved m ORDER BY m.n`,
    [o.documentId, o.from, o.to, o.delivered, o.routedOnly, o.event.code, o.event.actor, o.lastError?.slice(0, 2000) ?? null, o.note?.slice(0, 500) ?? null, o.kind],
  );
  return r.rows.map(({ dispatchId, recipientCode, senderChannel }) => ({ dispatchId, recipientCode, senderChannel }));
}

/** Sets the channel chosen by the route stage for every dispatch still pending, in one statement. */
export async function assignChannels(tx: Queryable, documentId: string): Promise<void> {
  await tx.query(
    `UPDATE dispatches x SET channel = a.channel, updated_at = now()
       FROM agencies a WHERE x.document_id = $1 AND a.code = x.recipient_code AND x.channel IS NULL`,
    [documentId],
  );
}

export async function moveDispatchStatus(
  tx: Queryable,
  id: string,
  from: DispatchStatus[],
  to: DispatchStatus,
  extra: { delivered?: boolean; lastError?: string | null; incomingNumber?: string } = {},
): Promise<boolean> {
  const r = await tx.query(
    `UPDATE dispatches SET status = $3, updated_at = now(),
       delivered_at = CASE WHEN $4::boolean THEN now() ELSE delivered_at END,
       last_error = $5, incoming_number = COALESCE($6, incoming_number)
     WHERE id = $1 AND status = ANY($2::text[])`,
    [id, from, to, extra.delivered ?? false, extra.lastError ?? null, extra.incomingNumber ?? null],
  );
  return (r.rowCount ?? 0) === 1;
}

/** Appends a timeline event; returns its id (status webhooks point at it). */
export async function addDispatchEvent(tx: Queryable, dispatchId: string, code: string, actor: string | null, note: string | null = null): Promise<number> {
  const r = await tx.query<{ id: number }>(`INSERT INTO dispatch_events (dispatch_id, code, actor, note) VALUES ($1, $2, $3, $4) RETURNING id`, [
    dispatchId,
    code,
    actor,
    note,
  ]);
  return r.rows[0]!.id;
}

/**
 * Dispatch views with their timelines; a recipient sees only its own copy. `viewer` is the agency
 * looking: the other agency's people and keys appear only as agency and role (lienthong_actor_shown_to).
 */
export async function dispatchViews(db: Queryable, documentId: string, onlyRecipient: string | null, viewer: string): Promise<DispatchView[]> {
  const r = await db.query(
    `SELECT x.id, x.recipient_code AS recipient, x.channel, x.status, x.incoming_number AS "incomingNumber",
            x.delivered_at AS "deliveredAt", x.attempts, x.last_error AS "lastError", x.next_attempt_at AS "nextAttemptAt",
            dispatch_overdue(x.id, now()) AS "overdueReason",
            COALESCE(json_agg(json_build_object('code', e.code, 'at', e.at, 'actor', lienthong_actor_shown_to(e.actor, $3), 'note', e.note) ORDER BY e.id)
                     FILTER (WHERE e.id IS NOT NULL), '[]') AS events
       FROM dispatches x JOIN documents d ON d.id = x.document_id LEFT JOIN dispatch_events e ON e.dispatch_id = x.id
      WHERE x.document_id = $1 AND ($2::text IS NULL OR x.recipient_code = $2)
      GROUP BY x.id, d.id ORDER BY x.recipient_code`,
    [documentId, onlyRecipient, viewer],
  );
  return r.rows.map((row) => ({
    ...row,
    deliveredAt: row.deliveredAt ? new Date(row.deliveredAt).toISOString() : null,
    nextAttemptAt: row.nextAttemptAt ? new Date(row.nextAttemptAt).toISOString() : null,
    overdue: row.overdueReason !== null,
  }));
}

// Push attempts: written here, each with the dispatch's own columns in one statement (this module is
// the one writer of dispatches); push-attempts.repository.ts lists them and raises the long-failing alert.

/** A push attempt begun: its number in the copy's retry budget, that budget's round, its row in dispatch_attempts, and when the budget started. */
export interface BegunPushAttempt {
  attempt: number;
  /** 1 for the copy's first retry budget, one more after each operator retry (migration 0108). */
  round: number;
  /** The attempt's row (outcome 'started'), completed by recordDeliveredAttempt / recordFailedAttempt. */
  attemptId: string;
  budgetStartedAt: Date;
}

/**
 * Starts a push attempt, only while the dispatch is still open (pending or delivering): a second
 * run of the same job (a stalled job taken over, a sweeper re-add) that read `pending` before the
 * first recorded `delivered` must not move it back and push again. Undefined when it is no longer open.
 *
 * The attempt is counted and its row written ('started') in ONE statement, before the request:
 * a worker killed during the request leaves a counted attempt WITH its row, never a count without
 * one (migration 0107). The same statement marks 'interrupted' the rows still 'started' from
 * earlier attempts of this copy: the job is being run again, so the worker that began them died
 * (or lost its lock; a run still alive writes its real outcome over it, by the row's id).
 * The row's round is the latest row's, one more when this is the first attempt of a new budget
 * (the counter was set back by an operator retry).
 */
export async function beginPushAttempt(db: Queryable, dispatchId: string): Promise<BegunPushAttempt | undefined> {
  const r = await db.query<BegunPushAttempt>(
    `WITH interrupted AS (
       UPDATE dispatch_attempts SET outcome = 'interrupted', at = now(), error = $2 WHERE dispatch_id = $1 AND outcome = 'started'
     ), counted AS (
       UPDATE dispatches SET attempts = attempts + 1, status = 'delivering', updated_at = now(),
              budget_started_at = COALESCE(budget_started_at, now())
        WHERE id = $1 AND status = ANY (lienthong_open_dispatch_statuses()) RETURNING id, attempts, budget_started_at
     ), written AS (
       INSERT INTO dispatch_attempts (dispatch_id, attempt, round, outcome, started_at)
       SELECT c.id, c.attempts, COALESCE(l.round + (c.attempts = 1)::int, 1), 'started', now()
         FROM counted c LEFT JOIN LATERAL (SELECT p.round FROM dispatch_attempts p WHERE p.dispatch_id = c.id ORDER BY p.id DESC LIMIT 1) l ON true
       RETURNING id, round
     )
     SELECT c.attempts AS attempt, w.round, w.id::text AS "attemptId", c.budget_started_at AS "budgetStartedAt" FROM counted c, written w`,
    [dispatchId, INTERRUPTED_ATTEMPT_ERROR],
  );
  return r.rows[0];
}

export interface FailedAttempt {
  dispatchId: string;
  documentId: string;
  /** The attempt's row, from beginPushAttempt. */
  attemptId: string;
  httpStatus: number | null;
  error: string;
  /** When the next attempt is due; null when there will be none (budget spent). */
  nextAttemptAt: Date | null;
}

/**
 * A failed attempt in one statement: its row completed, the dispatch's last error and next attempt
 * time, and a NOTIFY so the sender's pages show it within a second.
 */
export async function recordFailedAttempt(db: Queryable, a: FailedAttempt): Promise<void> {
  await db.query(
    `WITH attempt AS (
       UPDATE dispatch_attempts SET outcome = 'failed', at = now(), http_status = $3, error = $4 WHERE id = $2
     ), moved AS (
       UPDATE dispatches SET last_error = $4, next_attempt_at = $5, updated_at = now() WHERE id = $1
     )
     SELECT pg_notify('lienthong_dispatch', $6)`,
    [a.dispatchId, a.attemptId, a.httpStatus, a.error.slice(0, 2000), a.nextAttemptAt, JSON.stringify({ dispatchId: a.dispatchId, documentId: a.documentId, status: 'delivering' })],
  );
}

/**
 * The delivering attempt's row completed (the outcome itself is record_dispatch_outcome's). No
 * attempt of this copy follows a delivery, so no later begin would mark an earlier one still
 * 'started' (a run that died while this one pushed): this statement marks them 'interrupted'.
 */
export async function recordDeliveredAttempt(db: Queryable, dispatchId: string, attemptId: string, httpStatus: number, proof: 'http-2xx' | 'receipt'): Promise<void> {
  await db.query(
    `WITH attempt AS (
       UPDATE dispatch_attempts SET outcome = 'delivered', at = now(), http_status = $3, proof = $4 WHERE id = $2
     ), interrupted AS (
       UPDATE dispatch_attempts SET outcome = 'interrupted', at = now(), error = $5 WHERE dispatch_id = $1 AND outcome = 'started' AND id <> $2
     )
     UPDATE dispatches SET next_attempt_at = NULL WHERE id = $1`,
    [dispatchId, attemptId, httpStatus, proof, INTERRUPTED_ATTEMPT_ERROR],
  );
}

/** The long-failing alert's mark, once per retry budget; the facts of the notice, or undefined when it was raised already. */
export async function markFailingAlerted(db: Queryable, dispatchId: string): Promise<{ sender: string; recipient: string; number: string; notation: string; documentId: string } | undefined> {
  const r = await db.query<{ sender: string; recipient: string; number: string; notation: string; documentId: string }>(
    `UPDATE dispatches x SET alerted_at = now() FROM documents d
      WHERE x.id = $1 AND d.id = x.document_id AND x.alerted_at IS NULL AND x.status = ANY (lienthong_open_dispatch_statuses())
      RETURNING d.sender_code AS sender, x.recipient_code AS recipient, d.number, d.notation, d.id AS "documentId"`,
    [dispatchId],
  );
  return r.rows[0];
}

/**
 * A copy can wait only for a job: its document's stage job (the document in flight) or its own
 * deliver job (the document routed). A copy still open under a failed document has neither: it goes
 * to the failed list with the document's reason, where an operator retry restarts the stage
 * (retry-dispatch.ts). Rows left so by older versions' retry (issue 16). Returns how many moved.
 */
export async function failOrphanedCopies(db: Queryable, ageMs: number): Promise<number> {
  const orphans = await db.query(
    `UPDATE dispatches x SET status = 'failed', last_error = COALESCE(d.last_error, 'văn bản bị lỗi trong quá trình xử lý'), updated_at = now()
       FROM documents d
      WHERE d.id = x.document_id AND d.status = 'failed' AND x.open AND x.status = ANY($2::text[])
        AND x.updated_at < now() - make_interval(secs => $1::float8 / 1000)`,
    [ageMs, OPEN_DISPATCH_STATUSES],
  );
  return orphans.rowCount ?? 0;
}

/** A recipient opened its copy: the first opening is kept. */
export async function markCopyOpened(db: Queryable, documentId: string, recipient: string): Promise<void> {
  await db.query(`UPDATE dispatches SET opened_at = now() WHERE document_id = $1 AND recipient_code = $2 AND opened_at IS NULL`, [documentId, recipient]);
}

/** A status the recipient (or the sender) recorded on a copy: its status, incoming number and pending request. */
export async function setRecordedStatus(tx: Queryable, id: string, status: DispatchStatus, incomingNumber: string | null, pendingRequest: string | null): Promise<void> {
  await tx.query(`UPDATE dispatches SET status = $2, incoming_number = $3, pending_request = $4, updated_at = now() WHERE id = $1`, [id, status, incomingNumber, pendingRequest]);
}

/** An operator retry of one failed copy: pending again, attempts and alert cleared, a new retry budget. False when it was not failed. */
export async function reopenFailedCopy(tx: Queryable, id: string): Promise<boolean> {
  const r = await tx.query(
    `UPDATE dispatches SET status = 'pending', attempts = 0, last_error = NULL, next_attempt_at = NULL, alerted_at = NULL,
            budget_started_at = now(), updated_at = now()
      WHERE id = $1 AND status = 'failed'`,
    [id],
  );
  return r.rowCount === 1;
}

/** An operator retry of a failed document: its failed copies pending again (their budget starts at delivery). Their ids. */
export async function reopenFailedCopiesOf(tx: Queryable, documentId: string): Promise<string[]> {
  const r = await tx.query<{ id: string }>(
    `UPDATE dispatches SET status = 'pending', attempts = 0, last_error = NULL, next_attempt_at = NULL, alerted_at = NULL,
            budget_started_at = NULL, updated_at = now()
      WHERE document_id = $1 AND status = 'failed' RETURNING id`,
    [documentId],
  );
  return r.rows.map((x) => x.id);
}

/** The sender revoked the document: every copy not revoked or failed already is revoked. */
export async function revokeLiveCopies(tx: Queryable, documentId: string): Promise<{ id: string; recipient: string; channel: string | null }[]> {
  const r = await tx.query<{ id: string; recipient: string; channel: string | null }>(
    `UPDATE dispatches SET status = 'revoked', pending_request = NULL, updated_at = now()
      WHERE document_id = $1 AND status NOT IN ('revoked', 'failed')
      RETURNING id, recipient_code AS recipient, channel`,
    [documentId],
  );
  return r.rows;
}

/** A copy entered in an incoming register book on `day`. */
export async function setRegistration(tx: Queryable, id: string, bookId: string, day: string): Promise<void> {
  await tx.query(`UPDATE dispatches SET register_book_id = $2, registered_on = $3 WHERE id = $1`, [id, bookId, day]);
}

/**
 * The clerk corrects the registration date of `agency`'s registered copy, in one statement: the row
 * is locked and changed only when `day` is in the year it was numbered in and not before the Vietnam
 * day the copy arrived. Undefined when there is no such registered copy; else the date before, the
 * arrival day, the số đến, and why nothing was changed (refused).
 */
export async function correctRegisteredOn(
  db: Queryable,
  id: string,
  agency: string,
  day: string,
): Promise<{ before: string; arrivedOn: string | null; incomingNumber: string | null; refused: 'other_year' | 'before_arrival' | null } | undefined> {
  const r = await db.query<{ before: string; arrivedOn: string | null; incomingNumber: string | null; refused: 'other_year' | 'before_arrival' | null }>(
    `WITH old AS (
       SELECT id, registered_on, registered_on::text AS before, incoming_number,
              (delivered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS arrived
         FROM dispatches WHERE id = $1 AND recipient_code = $2 AND registered_on IS NOT NULL FOR UPDATE),
     why AS (
       SELECT old.*, CASE WHEN extract(year FROM registered_on) <> extract(year FROM $3::date) THEN 'other_year'
                          WHEN arrived IS NOT NULL AND $3::date < arrived THEN 'before_arrival' END AS refused FROM old),
     upd AS (UPDATE dispatches x SET registered_on = $3::date, updated_at = now() FROM why WHERE x.id = why.id AND why.refused IS NULL RETURNING x.id)
     SELECT before, arrived::text AS "arrivedOn", incoming_number AS "incomingNumber", refused FROM why`,
    [id, agency, day],
  );
  return r.rows[0];
}
