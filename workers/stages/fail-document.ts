import type { Db } from '../../services/db/pool';
import { failInFlightDocument } from '../../services/domain/documents/document.repository';
import { IN_FLIGHT_DOCUMENT_STATUSES } from '../../services/pipeline/stage-order';
import { logger } from '../../services/logging/logger';

const log = logger('pipeline');

/**
 * Marks an in-flight document failed with the reason, so it shows as failed instead of stuck, and
 * its pending dispatches with it (one statement, failInFlightDocument). The stage is kept, so an
 * operator retry starts there again.
 */
export async function failDocument(db: Db, documentId: string, error: Error, stage: 'convert' | 'sign' | 'route'): Promise<void> {
  await failInFlightDocument(db, documentId, error.message, stage, IN_FLIGHT_DOCUMENT_STATUSES);
  log.error({ documentId, stage, err: error }, 'document failed in the pipeline');
}
