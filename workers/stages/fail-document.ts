import { inTransaction, type Db } from '../../services/db/pool';
import { logger } from '../../services/logging/logger';

const log = logger('pipeline');

/** Marks an in-flight document failed with the reason, so it shows as failed instead of stuck. */
export async function failDocument(db: Db, documentId: string, error: Error): Promise<void> {
  await inTransaction(db, async (tx) => {
    const r = await tx.query(
      `UPDATE documents SET status = 'failed', last_error = $2, updated_at = now()
        WHERE id = $1 AND status IN ('accepted', 'converted', 'signed')`,
      [documentId, error.message.slice(0, 2000)],
    );
    if ((r.rowCount ?? 0) > 0) {
      await tx.query(
        `UPDATE dispatches SET status = 'failed', last_error = $2, updated_at = now() WHERE document_id = $1 AND status = 'pending'`,
        [documentId, error.message.slice(0, 2000)],
      );
    }
  });
  log.error({ documentId, err: error.message }, 'document failed in the pipeline');
}
