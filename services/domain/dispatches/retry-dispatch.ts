import { jobIdFor, Stage } from '../../../contracts';
import { inTransaction, type Db } from '../../db/pool';
import { addToOutbox } from '../../pipeline/outbox.repository';
import { statusBefore } from '../../pipeline/stage-order';
import { addDispatchEvent, reopenFailedCopiesOf, reopenFailedCopy } from './dispatch.repository';
import { failureReasonVi, type FailedStage } from './failure-reason';
import { reopenFailedDocument } from '../documents/document.repository';

export interface FailedDispatch {
  id: string;
  documentId: string;
  number: string;
  notation: string;
  subject: string;
  sender: string;
  recipient: string;
  channel: string | null;
  /** Where the copy stopped: convert, sign or route (the document failed), or deliver. */
  stage: FailedStage;
  attempts: number;
  lastError: string | null;
  /** The reason in Vietnamese, with what the operator can do. */
  reason: string;
  failedAt: Date;
}

export interface FailedFilter {
  sender?: string | undefined;
  recipient?: string | undefined;
  stage?: FailedStage | undefined;
}

/**
 * The stage a failed document stopped in: recorded since migration 0025 (documents.failed_stage);
 * for older rows, read from the files it has (no canonical PDF: convert; not signed: sign; else route).
 */
const FAILED_STAGE_SQL = `CASE WHEN d.status <> 'failed' THEN 'deliver'
  ELSE COALESCE(d.failed_stage,
    CASE WHEN NOT EXISTS (SELECT 1 FROM document_files f WHERE f.document_id = d.id AND f.role = 'canonical') THEN 'convert'
         WHEN NOT EXISTS (SELECT 1 FROM document_files f WHERE f.document_id = d.id AND f.role = 'signed') THEN 'sign'
         ELSE 'route' END) END`;

export async function listFailedDispatches(db: Db, limit = 500, filter: FailedFilter = {}): Promise<FailedDispatch[]> {
  const r = await db.query(
    `SELECT * FROM (
       SELECT x.id, x.document_id AS "documentId", d.number, d.notation, d.subject, d.sender_code AS sender,
              x.recipient_code AS recipient, x.channel, x.attempts, COALESCE(x.last_error, d.last_error) AS "lastError",
              x.updated_at AS "failedAt", ${FAILED_STAGE_SQL} AS stage
         FROM dispatches x JOIN documents d ON d.id = x.document_id
        WHERE x.status = 'failed' AND ($2::text IS NULL OR d.sender_code = $2) AND ($3::text IS NULL OR x.recipient_code = $3)
     ) f WHERE $4::text IS NULL OR f.stage = $4
     ORDER BY f."failedAt" DESC LIMIT $1`,
    [limit, filter.sender ?? null, filter.recipient ?? null, filter.stage ?? null],
  );
  return r.rows.map((row) => ({ ...row, reason: failureReasonVi(row.stage, row.lastError) }));
}

/** Removes BullMQ's record of a failed job by its id, so a re-publish with the same id is not a no-op. */
export type RemoveStaleJob = (stage: Stage, jobId: string) => Promise<void>;


/**
 * An operator's retry, from wherever the copy stopped:
 *  - deliver: the dispatch goes back to pending with a fresh retry budget and a deliver job of its
 *    own (deliver-<dispatchId>), a hosted copy too: it is delivered alone, whatever its document's
 *    hosted job is doing;
 *  - convert, sign or route (the document failed): the document goes back to the status before
 *    that stage, every copy that failed with it goes back to pending, and the stage's job is
 *    published again — so the status follows, and nothing is left pending without a job.
 * All through the outbox, in one transaction per dispatch.
 */
export async function retryDispatches(db: Db, ids: string[], operator: string, removeStaleJob: RemoveStaleJob): Promise<string[]> {
  const retried: string[] = [];
  for (const id of ids) {
    const found = await db.query<{ documentId: string; stage: FailedStage; hosted: boolean }>(
      `SELECT x.document_id AS "documentId", ${FAILED_STAGE_SQL} AS stage, COALESCE(x.channel, 'hosted') = 'hosted' AS hosted
         FROM dispatches x JOIN documents d ON d.id = x.document_id
        WHERE x.id = $1 AND x.status = 'failed'`,
      [id],
    );
    const row = found.rows[0];
    if (!row) continue;
    if (row.stage === 'deliver') {
      await removeStaleJob(Stage.deliver, jobIdFor(Stage.deliver, { documentId: row.documentId, dispatchId: id }));
      // A hosted copy failed with its document's hosted job (deliver-hosted-<documentId>): its failed
      // record must go too, or the sweeper's re-publish of that id would be a no-op for 30 days.
      if (row.hosted) await removeStaleJob(Stage.deliver, jobIdFor(Stage.deliver, { documentId: row.documentId, hosted: true }));
    } else await removeStaleJob(row.stage, jobIdFor(row.stage, { documentId: row.documentId }));
    const ok = await inTransaction(db, async (tx) => {
      if (row.stage === 'deliver') {
        if (!(await reopenFailedCopy(tx, id))) return false;
        await addDispatchEvent(tx, id, 'retry', operator, null);
        await addToOutbox(tx, [{ stage: Stage.deliver, payload: { documentId: row.documentId, dispatchId: id } }]);
        return true;
      }
      if (!(await reopenFailedDocument(tx, row.documentId, statusBefore(row.stage)))) return false;
      const copies = await reopenFailedCopiesOf(tx, row.documentId);
      for (const c of copies) await addDispatchEvent(tx, c, 'retry', operator, `gửi lại từ bước ${row.stage}`);
      await addToOutbox(tx, [{ stage: row.stage as Stage, payload: { documentId: row.documentId } }]);
      await tx.query(`SELECT pg_notify('lienthong_dispatch', $1)`, [JSON.stringify({ documentId: row.documentId, status: 'pending' })]);
      return true;
    });
    if (ok) retried.push(id);
  }
  return retried;
}
