import type { Db } from '../../services/db/pool';
import { IN_FLIGHT_DOCUMENT_STATUSES } from '../../services/pipeline/stage-order';
import { logger } from '../../services/logging/logger';

const log = logger('pipeline');

/**
 * Marks an in-flight document failed with the reason, so it shows as failed instead of stuck, and
 * its pending dispatches with it: one statement (autocommit), the dispatches only when the
 * document was still in flight. The stage is kept, so an operator retry starts there again.
 */
export async function failDocument(db: Db, documentId: string, error: Error, stage: 'convert' | 'sign' | 'route'): Promise<void> {
  await db.query(
    `WITH failed AS (
       UPDATE documents SET status = 'failed', last_error = $2, failed_stage = $3, updated_at = now()
        WHERE id = $1 AND status = ANY($4::text[])
       RETURNING id
     )
     UPDATE dispatches x SET status = 'failed', last_error = $2, updated_at = now()
       FROM failed WHERE x.document_id = failed.id AND x.status = 'pending'`,
    [documentId, error.message.slice(0, 2000), stage, IN_FLIGHT_DOCUMENT_STATUSES],
  );
  log.error({ documentId, stage, err: error }, 'document failed in the pipeline');
}
