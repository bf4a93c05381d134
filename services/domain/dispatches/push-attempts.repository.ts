import type { DispatchAttemptView } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { keysetPage, type Page, type PageRequest } from '../paging/keyset-page';
import { notifyNotice, type AgencyNotice } from '../notices/agency-notices';
import { INTERRUPTED_ATTEMPT_ERROR } from './attempt-outcome';
import { markFailingAlerted } from './dispatch.repository';

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
