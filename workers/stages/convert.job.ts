import { PDFDocument } from 'pdf-lib';
import { DocumentStatus, Stage } from '../../contracts';
import { inTransaction } from '../../services/db/pool';
import { attachFile, getBlob, listFiles } from '../../services/domain/blobs/blob.repository';
import { loadDocument, moveDocumentStatus } from '../../services/domain/documents/document.repository';
import { addToOutbox } from '../../services/domain/outbox/outbox.repository';
import { whatFollows } from '../../services/domain/pipeline/pipeline';
import { priorityOf } from '../../services/domain/pipeline/priority';
import { PermanentStageError, type StageHandler } from '../runtime/stage-context';
import { failDocument } from './fail-document';

/**
 * convert: sources → the canonical PDF. A PDF source is checked (it parses, it is not encrypted,
 * its pages are counted) and passed through unchanged.
 */
export const convertStage: StageHandler<typeof Stage.convert> = {
  async run({ documentId }, { db, log }) {
    const doc = await loadDocument(db, documentId);
    if (!doc || doc.status !== DocumentStatus.accepted) return; // done already, or revoked
    const original = (await listFiles(db, documentId)).find((f) => f.role === 'original');
    if (!original) throw new PermanentStageError('the document has no original file', 'INVALID_FILE');
    const bytes = await getBlob(db, original.sha256);
    const pageCount = await countPdfPages(bytes);
    await inTransaction(db, async (tx) => {
      if (!(await moveDocumentStatus(tx, documentId, DocumentStatus.accepted, DocumentStatus.converted, { pageCount }))) return;
      await attachFile(tx, documentId, 'canonical', original, original.name);
      await addToOutbox(tx, whatFollows(Stage.convert, documentId, priorityOf(doc.urgency)));
    });
    log.info({ pageCount }, 'converted');
  },
  async onFinalFailure({ documentId }, error, { db }) {
    await failDocument(db, documentId, error);
  },
};

async function countPdfPages(bytes: Uint8Array): Promise<number> {
  try {
    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    const n = pdf.getPageCount();
    if (n < 1) throw new Error('the PDF has no pages');
    return n;
  } catch (err) {
    const msg = (err as Error).message;
    if (/encrypted/i.test(msg)) throw new PermanentStageError('the PDF is encrypted; send it without a password', 'PDF_ENCRYPTED');
    throw new PermanentStageError(`the PDF cannot be read: ${msg}`, 'PDF_INVALID');
  }
}
