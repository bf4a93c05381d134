import { DocumentStatus, Stage } from '../../contracts';
import { inTransaction } from '../../services/db/pool';
import { attachFile, getBlob, listFiles, putBlob } from '../../services/domain/blobs/blob.repository';
import { loadDocument, moveDocumentStatus } from '../../services/domain/documents/document.repository';
import { addToOutbox } from '../../services/domain/outbox/outbox.repository';
import { whatFollows } from '../../services/domain/pipeline/pipeline';
import { priorityOf } from '../../services/domain/pipeline/priority';
import { signPdf } from '../../services/signing/pades-signer';
import { PermanentStageError, type StageHandler } from '../runtime/stage-context';
import { signingIdentityOf } from './signing-identities';
import { failDocument } from './fail-document';

/** sign: a PAdES signature of the canonical PDF with the sending agency's certificate. */
export const signStage: StageHandler<typeof Stage.sign> = {
  async run({ documentId }, { db, config, log }) {
    const doc = await loadDocument(db, documentId);
    if (!doc || doc.status !== DocumentStatus.converted) return;
    const canonical = (await listFiles(db, documentId)).find((f) => f.role === 'canonical');
    if (!canonical) throw new PermanentStageError('the document has no canonical PDF', 'INVALID_FILE');
    const identity = await signingIdentityOf(db, config.masterKey, doc.senderCode);
    const signed = await signPdf(await getBlob(db, canonical.sha256), identity, {
      signingTime: new Date(),
      reason: `${doc.number}/${doc.notation}`,
      location: doc.place,
      signerName: `${doc.signer.authority ? doc.signer.authority + ' ' : ''}${doc.signer.position} ${doc.signer.fullName}`,
    });
    await inTransaction(db, async (tx) => {
      if (!(await moveDocumentStatus(tx, documentId, DocumentStatus.converted, DocumentStatus.signed))) return;
      const blob = await putBlob(tx, signed, 'application/pdf');
      await attachFile(tx, documentId, 'signed', blob, `${doc.number}-${doc.notation}.signed.pdf`.replace(/[^\p{L}\p{N}._-]+/gu, '_'));
      await addToOutbox(tx, whatFollows(Stage.sign, documentId, priorityOf(doc.urgency)));
    });
    log.info({ bytes: signed.length }, 'signed');
  },
  async onFinalFailure({ documentId }, error, { db }) {
    await failDocument(db, documentId, error);
  },
};
