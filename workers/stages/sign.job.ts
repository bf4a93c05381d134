import { DocumentStatus, Stage } from '../../contracts';
import type { Queryable } from '../../services/db/pool';
import { BLOB_CHUNK_BYTES, getBlob, putBlobFromFile, writeBlobToFile } from '../../services/domain/blobs/blob.repository';
import { tempDirOf, withTempFiles } from '../../services/domain/blobs/temp-files';
import { loadForStage, stageBlob, type StageFile, type StageRead } from '../../services/domain/documents/document-stages.repository';
import { advanceDocument, type StageAdvance, type StageBlob } from '../../services/domain/documents/document.repository';
import { whatFollows } from '../../services/pipeline/stage-order';
import { priorityOf } from '../../services/pipeline/priority';
import { SignatureTooLargeError, SigningIdentityError, UnsignablePdfError } from '../../services/signing/errors';
import { signPdfDetailed, signPdfFile, type SignPdfOptions, type SigningIdentity } from '../../services/signing/pades-signer';
import type { SignatureLevel } from '../../services/signing/ltv/signature-levels';
import type { Logger } from '../../services/logging/logger';
import { PermanentStageError, type StageContext, type StageHandler } from '../runtime/stage-context';
import { signingIdentityFor } from './signing-identities';
import { fileDigest, levelPlan, raiseToPlan, type LevelPlan } from './sign-levels';
import { failDocument } from './fail-document';
import { isRemoteAgency } from '../../services/domain/agencies/remote-agency';
import { carriable, chainOrQueue, fuseMoves, keepingCarried, resumeStep, type NextStep } from '../runtime/stage-chain';

/** The files sign reads: the canonical PDF and the converted attachments. */
const SIGN_INPUTS = '^(canonical|attachment-[0-9]+)$';

/** An attachment sign signs (a converted one, a PDF; one kept as it arrived is not). */
export const isSignedAttachment = (f: StageFile): boolean => /^attachment-\d+$/.test(f.role) && f.contentType === 'application/pdf';

/**
 * sign: a PAdES signature of the canonical PDF with the sending agency's certificate, the visible
 * Decree 30 stamp on page 1, an RFC 3161 timestamp when a TSA is configured (B-T), then the
 * configured level: B-LT (a DSS with validation data) or B-LTA (and a document timestamp).
 */
export const signStage: StageHandler<typeof Stage.sign> = {
  async run({ documentId }, ctx) {
    const { carried } = ctx;
    if (!carried?.read) {
      // One read: the document, its files (small ones with their bytes), the sender's name and current certificate.
      const read = await loadForStage(ctx.db, documentId, { status: DocumentStatus.converted, bytesOf: SIGN_INPUTS, certificate: true });
      // Signed already: a job taken over mid-chain resumes the steps it runs itself (stage-chain.ts).
      if (!read || read.doc.status !== DocumentStatus.converted) return resumeStep(read?.doc.status, documentId, ctx.chains);
      return signConverted(read, (move) => move, ctx);
    }
    // Right after convert in this job, its move not committed: both commit as one (stage-chain.ts).
    const read = carried.read;
    return keepingCarried(ctx.db, carried.move, ctx.log, () => signConverted(read, (move) => fuseMoves(carried.move, move), ctx));
  },
  async onFinalFailure({ documentId }, error, { db }) {
    await failDocument(db, documentId, error, 'sign');
  },
};

/**
 * Signs a converted document and moves it to `signed` in one statement; `asMove` turns sign's move
 * into the one to commit (with a carried convert, both stages' as one). With route next in this job,
 * the move is carried into the route step instead (stage-chain.ts), when it can be.
 */
async function signConverted(read: StageRead, asMove: (move: StageAdvance) => StageAdvance, ctx: StageContext): Promise<NextStep | undefined> {
  const { db, config, log } = ctx;
  const documentId = read.doc.id;
  const { doc, files } = read;
  const canonical = files.find((f) => f.role === 'canonical');
  if (!canonical) throw new PermanentStageError('the document has no canonical PDF', 'INVALID_FILE');
  // Never re-sign over a PDF that was modified after its incoming signature (issue 15), unless the operator allows it.
  if ((doc.incomingSignature as { modifiedAfterSigning?: boolean } | null)?.modifiedAfterSigning && !config.LIENTHONG_RESIGN_MODIFIED) {
    throw new PermanentStageError('the PDF was modified after its incoming signature: it is not re-signed (LIENTHONG_RESIGN_MODIFIED)', 'SIGNATURE_INVALID');
  }
  // A document from a remote agency (a peer hub's, or through the national axis) was signed at its
  // own end: its PDF goes on as it arrived, the arriving signature intact.
  // Route follows, in this job when this process runs it (stage-chain.ts), else through the outbox.
  const { outbox, next } = chainOrQueue(whatFollows(Stage.sign, documentId, priorityOf(doc.urgency)), ctx.chains);
  if (read.certificateId === null && (await isRemoteAgency(db, doc.senderCode))) {
    const move = asMove({
      id: documentId,
      from: DocumentStatus.converted,
      to: DocumentStatus.signed,
      files: [{ role: 'signed', sha256: canonical.sha256, name: canonical.name }],
      outbox,
    });
    const carry = next?.stage === Stage.route && carriable(move);
    const moved = carry || (await advanceDocument(db, move));
    log.info({ sender: doc.senderCode }, 'remote sender: passed through unsigned by this hub');
    return !moved ? undefined : carry ? { ...next!, carried: { move } } : next;
  }
  const identity = await signingIdentityFor(db, config.masterKey, doc.senderCode, read.certificateId);
  const signerLine = `${doc.signer.authority ? doc.signer.authority + ' ' : ''}${doc.signer.position} ${doc.signer.fullName}`;
  const plan = levelPlan(db, config, doc.documentType);
  const timestamp = plan.timestamp;
  const common = { reason: `${doc.number}/${doc.notation}`, location: doc.place, ...(timestamp ? { timestamp } : {}) };
  const agencyName = read.senderName ?? doc.senderCode;
  // Separately filed attachments carry the agency's signature and the number/symbol at the top right.
  const pdfAttachments = files.filter(isSignedAttachment);
  // Large files are signed from temporary files (bounded memory), two each (in, out); they are
  // removed when the stage ends. Small ones are signed in memory: no path, no unlink (issue 25).
  const large = [canonical, ...pdfAttachments].filter((f) => f.size > BLOB_CHUNK_BYTES).length;
  const moved = await withTempFiles(tempDirOf(config.LIENTHONG_DATA_DIR), 2 * large, async (...paths) => {
    const signer = new StoredPdfSigner(db, identity, paths, log, plan);
    const main = await signer.sign(canonical, {
      ...common,
      signingTime: new Date(),
      signerName: signerLine,
      appearance: { agencyName, signerLine },
    });
    const attachments: { file: StageFile; signed: SignedStored }[] = [];
    for (const a of pdfAttachments) {
      const signed = await signer.sign(a, {
        ...common,
        signingTime: new Date(),
        signerName: agencyName,
        appearance: { agencyName, numberNotation: `Số: ${doc.number}/${doc.notation}` },
      });
      attachments.push({ file: a, signed });
    }
    // One statement: the move with the signature fields, the signed PDFs, the files, the outbox row
    // (or, with route next in this job, the route's statement: carried).
    const move = asMove({
      id: documentId,
      from: DocumentStatus.converted,
      to: DocumentStatus.signed,
      signature: { level: main.level, note: main.timestampError ?? main.levelNote ?? null, timestampExpiresAt: main.timestampExpiresAt },
      blobs: [main.blob, ...attachments.map((a) => a.signed.blob)],
      files: [
        { role: 'signed', sha256: main.blob.sha256, name: `${doc.number}-${doc.notation}.signed.pdf`.replace(/[^\p{L}\p{N}._-]+/gu, '_') },
        ...attachments.map((a) => ({ role: a.file.role, sha256: a.signed.blob.sha256, name: a.file.name })),
      ],
      outbox,
    });
    // A large signed file is stored from its temporary file, gone when this callback returns: not carried.
    const carry = next?.stage === Stage.route && carriable(move);
    const advanced = carry || (await advanceDocument(db, move));
    log.info({ bytes: main.size, level: main.level }, 'signed');
    return advanced ? { carried: carry ? move : undefined } : undefined;
  });
  if (!moved) return undefined;
  return moved.carried ? { ...next!, carried: { move: moved.carried } } : next;
}

interface SignedStored {
  level: SignatureLevel;
  timestampError?: string | undefined;
  /** Why the level is below the plan's (no revocation data for a certificate). */
  levelNote?: string | undefined;
  timestampExpiresAt: Date | null;
  size: number;
  /** The signed PDF, to store with the document's move (advanceDocument). */
  blob: StageBlob;
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
    private readonly plan: LevelPlan,
  ) {}

  async sign(file: StageFile, opts: SignPdfOptions): Promise<SignedStored> {
    if (file.size <= BLOB_CHUNK_BYTES) {
      const bytes = file.bytes ?? (await getBlob(this.db, file.sha256));
      const r = await permanentIfUnsignable(() => signPdfDetailed(bytes, this.identity, opts));
      const up = await permanentIfUnsignable(() => raiseToPlan(this.plan, r, { bytes: r.pdf, ...(r.next ? { target: r.next } : {}) }));
      const pdf = 'bytes' in up.src ? up.src.bytes : r.pdf;
      if (up.note) this.log.warn({ level: up.level, note: up.note }, 'signed below the configured level');
      return { level: up.level, timestampError: r.timestampError, levelNote: up.note, timestampExpiresAt: up.timestampExpiresAt, size: pdf.length, blob: stageBlob(pdf, 'application/pdf') };
    }
    const input = this.paths[this.next++]!;
    const output = this.paths[this.next++]!;
    await writeBlobToFile(this.db, file.sha256, input);
    const r = await permanentIfUnsignable(() => signPdfFile(input, output, this.identity, opts));
    if (r.inMemoryFallback) this.log.warn({ size: file.size, reason: r.inMemoryFallback }, 'large PDF signed in memory: its cross-references could not be followed from the file');
    // the DSS and the document timestamp are appended to the signed file itself
    const up = await permanentIfUnsignable(() => raiseToPlan(this.plan, r, { path: output }));
    if (up.note) this.log.warn({ level: up.level, note: up.note }, 'signed below the configured level');
    const { size, sha256 } = up.appended ? await fileDigest(output) : { size: r.size, sha256: r.sha256 };
    const blob: StageBlob = {
      sha256,
      size,
      contentType: 'application/pdf',
      store: (tx) => putBlobFromFile(tx, output, 'application/pdf', { sha256 }),
    };
    return { level: up.level, timestampError: r.timestampError, levelNote: up.note, timestampExpiresAt: up.timestampExpiresAt, size, blob };
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
