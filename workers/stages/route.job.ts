import { DocumentStatus, Stage } from '../../contracts';
import { inTransaction } from '../../services/db/pool';
import { assignChannels } from '../../services/domain/dispatches/dispatch.repository';
import { loadDocument, moveDocumentStatus } from '../../services/domain/documents/document.repository';
import { addToOutbox } from '../../services/domain/outbox/outbox.repository';
import { whatFollows } from '../../services/domain/pipeline/pipeline';
import { priorityOf } from '../../services/domain/pipeline/priority';
import type { StageHandler } from '../runtime/stage-context';
import { failDocument } from './fail-document';

/** route: each dispatch takes its recipient's channel from the directory; one deliver job each. */
export const routeStage: StageHandler<typeof Stage.route> = {
  async run({ documentId }, { db, log }) {
    const doc = await loadDocument(db, documentId);
    if (!doc || doc.status !== DocumentStatus.signed) return;
    const fanOut = await inTransaction(db, async (tx) => {
      if (!(await moveDocumentStatus(tx, documentId, DocumentStatus.signed, DocumentStatus.routed))) return 0;
      await assignChannels(tx, documentId);
      const pending = await tx.query<{ id: string }>(
        `SELECT id FROM dispatches WHERE document_id = $1 AND status = 'pending' ORDER BY recipient_code`,
        [documentId],
      );
      const ids = pending.rows.map((r) => r.id);
      await addToOutbox(tx, whatFollows(Stage.route, documentId, priorityOf(doc.urgency), ids));
      return ids.length;
    });
    log.info({ dispatches: fanOut }, 'routed');
  },
  async onFinalFailure({ documentId }, error, { db }) {
    await failDocument(db, documentId, error);
  },
};
