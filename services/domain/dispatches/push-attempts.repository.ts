import type { DispatchAttemptView } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { keysetPage, type Page, type PageRequest } from '../paging/keyset-page';
import { notifyNotice, type AgencyNotice } from '../notices/agency-notices';
import { INTERRUPTED_ATTEMPT_ERROR } from './attempt-outcome';
import { markFailingAlerted } from './dispatch.repository';

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

/** One push attempt as the API and the pages show it (the contract's type: contracts/http.ts). */
export type PushAttemptView = DispatchAttemptView;

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

/** The columns of an attempt, and whether its copy is still open (attemptView reads it). */
const ATTEMPT_COLUMNS = `a.attempt, a.round, a.at, a.started_at AS "startedAt", a.outcome, a.http_status AS "httpStatus", a.error, a.proof, x.open AS "copyOpen"`;

/**
 * An attempt as it is shown: the times as ISO 8601 strings, the fields in the contract's order. A
 * row still `started` on a copy that is no longer open (delivered by another run, failed, revoked)
 * has no attempt left to complete or mark it: its worker died, and it reads `interrupted`, as the
 * next attempt would have marked it. On an open copy it is the attempt under way.
 */
function attemptView(x: Record<string, unknown>): PushAttemptView {
  const interrupted = x.outcome === 'started' && x.copyOpen === false;
  return {
    attempt: x.attempt as number,
    round: x.round as number,
    startedAt: x.startedAt ? new Date(x.startedAt as string).toISOString() : null,
    at: new Date(x.at as string).toISOString(),
    outcome: interrupted ? 'interrupted' : (x.outcome as PushAttemptView['outcome']),
    httpStatus: (x.httpStatus as number | null) ?? null,
    error: interrupted ? INTERRUPTED_ATTEMPT_ERROR : ((x.error as string | null) ?? null),
    proof: (x.proof as PushAttemptView['proof']) ?? null,
  };
}

/**
 * The attempts of a dispatch, newest first, in keyset pages (the key is the row's id: the order
 * the attempts began) with the total. See attemptView for a row still `started`.
 */
export async function pushAttemptPage(db: Queryable, dispatchId: string, req: PageRequest): Promise<Page<PushAttemptView>> {
  const page = await keysetPage<Record<string, unknown>>(
    db,
    {
      select: `SELECT ${ATTEMPT_COLUMNS}, a.id::text AS "_k0"
                 FROM dispatch_attempts a JOIN dispatches x ON x.id = a.dispatch_id
                WHERE a.dispatch_id = $1 AND {{keyset}}`,
      key: [{ expr: 'a.id', type: 'bigint' }],
      params: [dispatchId],
      count: `SELECT count(*)::int AS n FROM dispatch_attempts a WHERE a.dispatch_id = $1`,
    },
    req,
  );
  return { ...page, items: page.items.map(attemptView) };
}

/** The attempts of a dispatch, newest first (the first page of pushAttemptPage). */
export async function listPushAttempts(db: Queryable, dispatchId: string, limit = 50): Promise<PushAttemptView[]> {
  return (await pushAttemptPage(db, dispatchId, { limit })).items;
}

/**
 * The newest `perCopy` attempts of each push copy of a document, and how many each has in all, in
 * one statement (the sender's document page: a document may have hundreds of copies). Copies
 * without attempts are absent.
 */
export async function recentPushAttemptsOfDocument(db: Queryable, documentId: string, perCopy: number): Promise<Map<string, { total: number; items: PushAttemptView[] }>> {
  const r = await db.query(
    `SELECT x.id AS "dispatchId", n.total, ${ATTEMPT_COLUMNS}
       FROM dispatches x
       CROSS JOIN LATERAL (SELECT count(*)::int AS total FROM dispatch_attempts c WHERE c.dispatch_id = x.id) n
       CROSS JOIN LATERAL (SELECT * FROM dispatch_attempts c WHERE c.dispatch_id = x.id ORDER BY c.id DESC LIMIT $2) a
      WHERE x.document_id = $1
      ORDER BY x.id, a.id DESC`,
    [documentId, perCopy],
  );
  const out = new Map<string, { total: number; items: PushAttemptView[] }>();
  for (const row of r.rows) {
    const entry = out.get(row.dispatchId) ?? { total: row.total as number, items: [] };
    entry.items.push(attemptView(row));
    out.set(row.dispatchId, entry);
  }
  return out;
}

/**
 * A dispatch of a document the agency sent: its id, channel and recipient, or undefined when the document is
 * not the agency's, or the dispatch not the document's (the API answers both with the same 404).
 */
export async function findSentDispatch(db: Queryable, sender: string, documentId: string, dispatchId: string): Promise<{ id: string; channel: string | null; recipient: string } | undefined> {
  const r = await db.query<{ id: string; channel: string | null; recipient: string }>(
    `SELECT x.id, x.channel, x.recipient_code AS recipient FROM dispatches x JOIN documents d ON d.id = x.document_id
      WHERE x.id = $1 AND x.document_id = $2 AND d.sender_code = $3`,
    [dispatchId, documentId, sender],
  );
  return r.rows[0];
}
