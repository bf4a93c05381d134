import type { Queryable } from '../../db/pool';
import { notifyNotice, type AgencyNotice } from '../notices/agency-notices';

/** One push attempt as the API and the pages show it. */
export interface PushAttemptView {
  attempt: number;
  at: string;
  outcome: 'delivered' | 'failed';
  httpStatus: number | null;
  error: string | null;
  proof: 'http-2xx' | 'receipt' | null;
}

/** A push attempt begins: counted, the dispatch `delivering`, its retry budget started if it was not. */
/**
 * Starts a push attempt, only while the dispatch is still open (pending or delivering): a second
 * run of the same job (a stalled job taken over, a sweeper re-add) that read `pending` before the
 * first recorded `delivered` must not move it back and push again. Undefined when it is no longer open.
 */
export async function beginPushAttempt(db: Queryable, dispatchId: string): Promise<{ attempt: number; budgetStartedAt: Date } | undefined> {
  const r = await db.query<{ attempt: number; budgetStartedAt: Date }>(
    `UPDATE dispatches SET attempts = attempts + 1, status = 'delivering', updated_at = now(),
            budget_started_at = COALESCE(budget_started_at, now())
      WHERE id = $1 AND status = ANY (lienthong_open_dispatch_statuses()) RETURNING attempts AS attempt, budget_started_at AS "budgetStartedAt"`,
    [dispatchId],
  );
  return r.rows[0];
}

export interface FailedAttempt {
  dispatchId: string;
  documentId: string;
  attempt: number;
  httpStatus: number | null;
  error: string;
  /** When the next attempt is due; null when there will be none (budget spent). */
  nextAttemptAt: Date | null;
}

/**
 * A failed attempt in one statement: its row, the dispatch's last error and next attempt time, and
 * a NOTIFY so the sender's pages show it within a second.
 */
export async function recordFailedAttempt(db: Queryable, a: FailedAttempt): Promise<void> {
  await db.query(
    `WITH attempt AS (
       INSERT INTO dispatch_attempts (dispatch_id, attempt, outcome, http_status, error) VALUES ($1, $2, 'failed', $3, $4)
     ), moved AS (
       UPDATE dispatches SET last_error = $4, next_attempt_at = $5, updated_at = now() WHERE id = $1
     )
     SELECT pg_notify('lienthong_dispatch', $6)`,
    [a.dispatchId, a.attempt, a.httpStatus, a.error.slice(0, 2000), a.nextAttemptAt, JSON.stringify({ dispatchId: a.dispatchId, documentId: a.documentId, status: 'delivering' })],
  );
}

/** The delivering attempt's row (the outcome itself is record_dispatch_outcome's). */
export async function recordDeliveredAttempt(db: Queryable, dispatchId: string, attempt: number, httpStatus: number, proof: 'http-2xx' | 'receipt'): Promise<void> {
  await db.query(
    `WITH attempt AS (
       INSERT INTO dispatch_attempts (dispatch_id, attempt, outcome, http_status, proof) VALUES ($1, $2, 'delivered', $3, $4)
     )
     UPDATE dispatches SET next_attempt_at = NULL WHERE id = $1`,
    [dispatchId, attempt, httpStatus, proof],
  );
}

/**
 * The long-failing alert, once per retry budget (an operator retry clears `alerted_at`): marks the
 * dispatch, leaves a notice for the sending agency and puts it in its people's notification centre. Returns the notice's facts when this call
 * raised it, undefined when it had been raised already.
 */
export async function raiseFailingAlert(db: Queryable, dispatchId: string, message: (f: { number: string; notation: string; recipient: string }) => string): Promise<{ sender: string; recipient: string } | undefined> {
  const r = await db.query<{ sender: string; recipient: string; number: string; notation: string; documentId: string }>(
    `UPDATE dispatches x SET alerted_at = now() FROM documents d
      WHERE x.id = $1 AND d.id = x.document_id AND x.alerted_at IS NULL AND x.status = ANY (lienthong_open_dispatch_statuses())
      RETURNING d.sender_code AS sender, x.recipient_code AS recipient, d.number, d.notation, d.id AS "documentId"`,
    [dispatchId],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const notice = await db.query<AgencyNotice>(
    `INSERT INTO agency_notices (agency_code, kind, document_id, dispatch_id, message) VALUES ($1, 'delivery_failing', $2, $3, $4)
     RETURNING id::text, agency_code AS "agencyCode", kind, document_id AS "documentId", message, created_at AS "createdAt"`,
    [row.sender, row.documentId, dispatchId, message(row)],
  );
  // The sending agency's văn thư and administrator see it in their notification centre at once.
  await notifyNotice(db, notice.rows[0]!);
  return { sender: row.sender, recipient: row.recipient };
}

/** The attempts of a dispatch, newest first. */
export async function listPushAttempts(db: Queryable, dispatchId: string, limit = 50): Promise<PushAttemptView[]> {
  const r = await db.query(
    `SELECT attempt, at, outcome, http_status AS "httpStatus", error, proof FROM dispatch_attempts
      WHERE dispatch_id = $1 ORDER BY id DESC LIMIT $2`,
    [dispatchId, limit],
  );
  return r.rows.map((x) => ({ ...x, at: new Date(x.at).toISOString() }));
}
