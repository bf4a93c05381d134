import type { Queryable } from '../../db/pool';
import { notifyNotice, type AgencyNotice } from '../notices/agency-notices';
import { INTERRUPTED_ATTEMPT_ERROR, type PushAttemptOutcome } from './attempt-outcome';
import { markFailingAlerted } from './dispatch.repository';

/** One push attempt as the API and the pages show it. */
export interface PushAttemptView {
  attempt: number;
  /** When the row's outcome was written (for `started`, the start; for `interrupted`, when the interruption was found). */
  at: string;
  /** When the attempt began; null for attempts recorded before migration 0107. */
  startedAt: string | null;
  outcome: PushAttemptOutcome;
  httpStatus: number | null;
  error: string | null;
  proof: 'http-2xx' | 'receipt' | null;
}

/**
 * The long-failing alert, once per retry budget (an operator retry clears `alerted_at`): marks the
 * dispatch, leaves a notice for the sending agency and puts it in its people's notification centre. Returns the notice's facts when this call
 * raised it, undefined when it had been raised already.
 */
export async function raiseFailingAlert(db: Queryable, dispatchId: string, message: (f: { number: string; notation: string; recipient: string }) => string): Promise<{ sender: string; recipient: string } | undefined> {
  const row = await markFailingAlerted(db, dispatchId);
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

/**
 * The attempts of a dispatch, newest first. A row still `started` on a copy that is no longer open
 * (delivered by another run, failed, revoked) has no attempt left to complete or mark it: its
 * worker died, and it reads `interrupted`, as the next attempt would have marked it. On an open
 * copy it is the attempt under way.
 */
export async function listPushAttempts(db: Queryable, dispatchId: string, limit = 50): Promise<PushAttemptView[]> {
  const r = await db.query(
    `SELECT a.attempt, a.at, a.started_at AS "startedAt", a.http_status AS "httpStatus", a.proof,
            CASE WHEN a.outcome = 'started' AND NOT x.open THEN 'interrupted' ELSE a.outcome END AS outcome,
            CASE WHEN a.outcome = 'started' AND NOT x.open THEN $3 ELSE a.error END AS error
       FROM dispatch_attempts a JOIN dispatches x ON x.id = a.dispatch_id
      WHERE a.dispatch_id = $1 ORDER BY a.id DESC LIMIT $2`,
    [dispatchId, limit, INTERRUPTED_ATTEMPT_ERROR],
  );
  return r.rows.map((x) => ({ ...x, at: new Date(x.at).toISOString(), startedAt: x.startedAt ? new Date(x.startedAt).toISOString() : null }));
}
