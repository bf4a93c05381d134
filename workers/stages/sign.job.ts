import { DocumentStatus, Stage } from '../../contracts';
import { inTransaction } from '../../services/db/pool';
import { attachFile, getBlob, listFiles, putBlob } from '../../services/domain/blobs/blob.repository';
import { loadDocument, moveDocumentStatus } from '../../services/domain/documents/document.repository';
import { addToOutbox } from '../../services/domain/outbox/outbox.repository';
import { whatFollows } from '../../services/domain/pipeline/pipeline';
import { priorityOf } from '../../services/domain/pipeline/priority';
import { findAgency } from '../../services/domain/agencies/agency.repository';
import { SignatureTooLargeError, SigningIdentityError, UnsignablePdfError } from '../../services/signing/errors';
import { signPdfDetailed, timestampOptionsFromConfig, type SignPdfOptions, type SigningIdentity } from '../../services/signing/pades-signer';
import { PermanentStageError, type StageHandler } from '../runtime/stage-context';
import { signingIdentityOf } from './signing-identities';
import { failDocument } from './fail-document';

/**
 * sign: a PAdES signature of the canonical PDF with the sending agency's certificate, the visible
 * Decree 30 stamp on page 1, and an RFC 3161 timestamp when a TSA is configured (B-T).
 */
export const signStage: StageHandler<typeof Stage.sign> = {
  async run({ documentId }, { db, config, log }) {
    const doc = await loadDocument(db, documentId);
    if (!doc || doc.status !== DocumentStatus.converted) return;
    const canonical = (await listFiles(db, documentId)).find((f) => f.role === 'canonical');
    if (!canonical) throw new PermanentStageError('the document has no canonical PDF', 'INVALID_FILE');
    const identity = await signingIdentityOf(db, config.masterKey, doc.senderCode);
    const signerLine = `${doc.signer.authority ? doc.signer.authority + ' ' : ''}${doc.signer.position} ${doc.signer.fullName}`;
    const sender = await findAgency(db, doc.senderCode);
    const timestamp = timestampOptionsFromConfig(config);
    const result = await signWith(await getBlob(db, canonical.sha256), identity, {
      signingTime: new Date(),
      reason: `${doc.number}/${doc.notation}`,
      location: doc.place,
      signerName: signerLine,
      appearance: { agencyName: sender?.name ?? doc.senderCode, signerLine },
      ...(timestamp ? { timestamp } : {}),
    });
    const signed = result.pdf;
    // Separately filed attachments carry the agency's signature and the number/symbol at the top right.
    const attachments: { role: string; name: string | null; pdf: Buffer }[] = [];
    for (const a of (await listFiles(db, documentId)).filter((f) => /^attachment-\d+$/.test(f.role) && f.contentType === 'application/pdf')) {
      const r = await signWith(await getBlob(db, a.sha256), identity, {
        signingTime: new Date(),
        reason: `${doc.number}/${doc.notation}`,
        location: doc.place,
        signerName: sender?.name ?? doc.senderCode,
        appearance: { agencyName: sender?.name ?? doc.senderCode, numberNotation: `Số: ${doc.number}/${doc.notation}` },
        ...(timestamp ? { timestamp } : {}),
      });
      attachments.push({ role: a.role, name: a.name, pdf: r.pdf });
    }
    await inTransaction(db, async (tx) => {
      if (!(await moveDocumentStatus(tx, documentId, DocumentStatus.converted, DocumentStatus.signed))) return;
      await tx.query(`UPDATE documents SET signature_level = $2, signature_note = $3 WHERE id = $1`, [documentId, result.level, result.timestampError ?? null]);
      const blob = await putBlob(tx, signed, 'application/pdf');
      await attachFile(tx, documentId, 'signed', blob, `${doc.number}-${doc.notation}.signed.pdf`.replace(/[^\p{L}\p{N}._-]+/gu, '_'));
      for (const a of attachments) await attachFile(tx, documentId, a.role, await putBlob(tx, a.pdf, 'application/pdf'), a.name);
      await addToOutbox(tx, whatFollows(Stage.sign, documentId, priorityOf(doc.urgency)));
    });
    log.info({ bytes: signed.length, level: result.level }, 'signed');
  },
  async onFinalFailure({ documentId }, error, { db }) {
    await failDocument(db, documentId, error);
  },
};

async function signWith(pdf: Buffer, identity: SigningIdentity, opts: SignPdfOptions) {
  try {
    return await signPdfDetailed(pdf, identity, opts);
  } catch (err) {
    // No retry can mend these; a TSA that is down (TimestampUnavailableError) is retried.
    if (err instanceof UnsignablePdfError || err instanceof SignatureTooLargeError || err instanceof SigningIdentityError) {
      throw new PermanentStageError(err.message, err.name);
    }
    throw err;
  }
}
