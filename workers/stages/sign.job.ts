import { DocumentStatus, Stage } from '../../contracts';
import { inTransaction, type Queryable } from '../../services/db/pool';
import {
  attachFile,
  BLOB_CHUNK_BYTES,
  getBlob,
  listFiles,
  putBlob,
  putBlobFromFile,
  writeBlobToFile,
  type BlobRef,
  type FileRow,
} from '../../services/domain/blobs/blob.repository';
import { tempDirOf, withTempFiles } from '../../services/domain/blobs/temp-files';
import { loadDocument, moveDocumentStatus } from '../../services/domain/documents/document.repository';
import { addToOutbox } from '../../services/domain/outbox/outbox.repository';
import { whatFollows } from '../../services/domain/pipeline/pipeline';
import { priorityOf } from '../../services/domain/pipeline/priority';
import { findAgency } from '../../services/domain/agencies/agency.repository';
import { SignatureTooLargeError, SigningIdentityError, UnsignablePdfError } from '../../services/signing/errors';
import { signPdfDetailed, signPdfFile, timestampOptionsFromConfig, type SignPdfOptions, type SigningIdentity } from '../../services/signing/pades-signer';
import type { Logger } from '../../services/logging/logger';
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
    const files = await listFiles(db, documentId);
    const canonical = files.find((f) => f.role === 'canonical');
    if (!canonical) throw new PermanentStageError('the document has no canonical PDF', 'INVALID_FILE');
    const identity = await signingIdentityOf(db, config.masterKey, doc.senderCode);
    const signerLine = `${doc.signer.authority ? doc.signer.authority + ' ' : ''}${doc.signer.position} ${doc.signer.fullName}`;
    const sender = await findAgency(db, doc.senderCode);
    const timestamp = timestampOptionsFromConfig(config);
    const common = { reason: `${doc.number}/${doc.notation}`, location: doc.place, ...(timestamp ? { timestamp } : {}) };
    const agencyName = sender?.name ?? doc.senderCode;
    // Separately filed attachments carry the agency's signature and the number/symbol at the top right.
    const pdfAttachments = files.filter((f) => /^attachment-\d+$/.test(f.role) && f.contentType === 'application/pdf');
    // Large files are signed from temporary files (bounded memory); they are removed when the stage ends.
    await withTempFiles(tempDirOf(config.LIENTHONG_DATA_DIR), 2 * (1 + pdfAttachments.length), async (...paths) => {
      const signer = new StoredPdfSigner(db, identity, paths, log);
      const main = await signer.sign(canonical, {
        ...common,
        signingTime: new Date(),
        signerName: signerLine,
        appearance: { agencyName, signerLine },
      });
      const attachments: { file: FileRow; signed: SignedStored }[] = [];
      for (const a of pdfAttachments) {
        const signed = await signer.sign(a, {
          ...common,
          signingTime: new Date(),
          signerName: agencyName,
          appearance: { agencyName, numberNotation: `Số: ${doc.number}/${doc.notation}` },
        });
        attachments.push({ file: a, signed });
      }
      await inTransaction(db, async (tx) => {
        if (!(await moveDocumentStatus(tx, documentId, DocumentStatus.converted, DocumentStatus.signed))) return;
        await tx.query(`UPDATE documents SET signature_level = $2, signature_note = $3 WHERE id = $1`, [documentId, main.level, main.timestampError ?? null]);
        const blob = await main.store(tx);
        await attachFile(tx, documentId, 'signed', blob, `${doc.number}-${doc.notation}.signed.pdf`.replace(/[^\p{L}\p{N}._-]+/gu, '_'));
        for (const a of attachments) await attachFile(tx, documentId, a.file.role, await a.signed.store(tx), a.file.name);
        await addToOutbox(tx, whatFollows(Stage.sign, documentId, priorityOf(doc.urgency)));
      });
      log.info({ bytes: main.size, level: main.level }, 'signed');
    });
  },
  async onFinalFailure({ documentId }, error, { db }) {
    await failDocument(db, documentId, error);
  },
};

interface SignedStored {
  level: 'B-B' | 'B-T';
  timestampError?: string | undefined;
  size: number;
  /** Stores the signed PDF inside the caller's transaction. */
  store(tx: Queryable): Promise<BlobRef>;
}

/**
 * Signs stored PDFs: a small one in memory; a large one (a chunked blob) copied to a temporary
 * file, signed from it and to another one (signPdfFile: the original bytes are streamed, only the
 * incremental update is built in memory), then stored chunk by chunk.
 */
class StoredPdfSigner {
  private next = 0;
  constructor(
    private readonly db: Queryable,
    private readonly identity: SigningIdentity,
    private readonly paths: string[],
    private readonly log: Logger,
  ) {}

  async sign(file: FileRow, opts: SignPdfOptions): Promise<SignedStored> {
    if (file.size <= BLOB_CHUNK_BYTES) {
      const bytes = await getBlob(this.db, file.sha256);
      const r = await permanentIfUnsignable(() => signPdfDetailed(bytes, this.identity, opts));
      return { level: r.level, timestampError: r.timestampError, size: r.pdf.length, store: (tx) => putBlob(tx, r.pdf, 'application/pdf') };
    }
    const input = this.paths[this.next++]!;
    const output = this.paths[this.next++]!;
    await writeBlobToFile(this.db, file.sha256, input);
    const r = await permanentIfUnsignable(() => signPdfFile(input, output, this.identity, opts));
    if (r.inMemoryFallback) this.log.warn({ size: file.size, reason: r.inMemoryFallback }, 'large PDF signed in memory: its cross-references could not be followed from the file');
    return { level: r.level, timestampError: r.timestampError, size: r.size, store: (tx) => putBlobFromFile(tx, output, 'application/pdf', { sha256: r.sha256 }) };
  }
}

async function permanentIfUnsignable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    // No retry can mend these; a TSA that is down (TimestampUnavailableError) is retried.
    if (err instanceof UnsignablePdfError || err instanceof SignatureTooLargeError || err instanceof SigningIdentityError) {
      throw new PermanentStageError(err.message, err.name);
    }
    throw err;
  }
}
