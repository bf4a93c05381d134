import { Stage } from '../../../contracts';
import { inTransaction, type Db } from '../../db/pool';
import { addToOutbox } from '../outbox/outbox.repository';
import { addDispatchEvent } from './dispatch.repository';

export interface FailedDispatch {
  id: string;
  documentId: string;
  recipient: string;
  channel: string | null;
  attempts: number;
  lastError: string | null;
  failedAt: Date;
}

export async function listFailedDispatches(db: Db, limit = 500): Promise<FailedDispatch[]> {
  const r = await db.query(
    `SELECT id, document_id AS "documentId", recipient_code AS recipient, channel, attempts, last_error AS "lastError", updated_at AS "failedAt"
       FROM dispatches WHERE status = 'failed' ORDER BY updated_at DESC LIMIT $1`,
    [limit],
  );
  return r.rows;
}

/**
 * An operator's retry: the dispatch goes back to pending with a fresh retry budget and a deliver
 * job is published through the outbox. `removeStaleJob` clears BullMQ's record of the failed job
 * first, since a deterministic id that still names a failed job would make the new add a no-op.
 */
export async function retryDispatches(
  db: Db,
  ids: string[],
  operator: string,
  removeStaleJob: (dispatchId: string) => Promise<void>,
): Promise<string[]> {
  const retried: string[] = [];
  for (const id of ids) {
    await removeStaleJob(id);
    const ok = await inTransaction(db, async (tx) => {
      const r = await tx.query<{ documentId: string }>(
        `UPDATE dispatches SET status = 'pending', attempts = 0, last_error = NULL, budget_started_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'failed' RETURNING document_id AS "documentId"`,
        [id],
      );
      const row = r.rows[0];
      if (!row) return false;
      await addDispatchEvent(tx, id, 'retry', operator, null);
      await addToOutbox(tx, [{ stage: Stage.deliver, payload: { documentId: row.documentId, dispatchId: id } }]);
      return true;
    });
    if (ok) retried.push(id);
  }
  return retried;
}
