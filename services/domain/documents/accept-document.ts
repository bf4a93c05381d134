import { createHash, randomUUID } from 'node:crypto';
import { ErrorCode, Stage, type Body, type DocumentMetadata, type DocumentStatus, LedgerKind } from '../../../contracts';
import type { Db } from '../../db/pool';
import { inTransaction } from '../../db/pool';
import { resolveRecipients } from '../agencies/resolve-recipients';
import { attachFile, putBlob } from '../blobs/blob.repository';
import { insertDispatches } from '../dispatches/dispatch.repository';
import { DomainError } from '../errors/domain-error';
import { sniffContentType } from '../files/sniff-content-type';
import { appendLedger } from '../ledger/ledger.repository';
import { formatNumber, issueNextNumber, observeNumber } from '../numbering/number-register';
import { addToOutbox } from '../outbox/outbox.repository';
import { priorityOf } from '../pipeline/priority';
import { findNumberHolder } from '../paper/paper-document.repository';
import { checkArrivingSignatures, type IncomingSignatureSummary } from './arriving-signatures';
import { checkSourceFile, type SourceCheck } from './source-file';
import { findByIdempotencyKey, insertDocument } from './document.repository';

export interface IncomingFile {
  name: string;
  declaredType: string | undefined;
  bytes: Buffer;
}

export interface Submission {
  sender: string;
  metadata: DocumentMetadata;
  /** Exactly one of `file` (any supported source) and `body` (rendered by the convert stage). */
  file?: IncomingFile | undefined;
  body?: Body | undefined;
  attachments: IncomingFile[];
  idempotencyKey: string | undefined;
  /** edXML BussinessDocType: 0 new, 2 update, 3 replace (revoke, 1, never creates a document). */
  businessType?: 0 | 2 | 3;
}

export interface AcceptLimits {
  maxRecipients: number;
  /** How far in the future an issue date may be, for clocks a little ahead. */
  futureSkewDays: number;
  /** Extra trust anchors (PEM files) for checking PDFs that arrive signed. */
  trustStoreDir?: string | undefined;
}

export interface Accepted {
  id: string;
  status: DocumentStatus;
  /** false when an earlier submission with the same Idempotency-Key answered. */
  created: boolean;
}

const UNIQUE_VIOLATION = '23505';

/**
 * The accept stage: validate, then in one transaction store the blobs, the document, one dispatch
 * per recipient, a ledger row and the outbox row for the convert stage. Nothing is written unless
 * everything is: a refused submission leaves no row, blob or job behind.
 */
export async function acceptDocument(db: Db, s: Submission, limits: AcceptLimits): Promise<Accepted> {
  const source = validateBeforeWriting(s, limits);
  const incomingSignature = s.file && source?.type === 'pdf' ? await checkArrivingSignatures(db, s.file.bytes, limits.trustStoreDir) : null;
  const requestHash = hashSubmission(s);
  if (s.idempotencyKey) {
    const earlier = await findByIdempotencyKey(db, s.sender, s.idempotencyKey);
    if (earlier) return replay(earlier, requestHash);
  }
  try {
    return await inTransaction(db, (tx) => writeDocument(tx, s, limits, requestHash, incomingSignature, source));
  } catch (err) {
    // Two concurrent requests with one Idempotency-Key: the loser answers with the winner's result.
    if (isUniqueViolation(err, 'documents_sender_code_idempotency_key_key') && s.idempotencyKey) {
      const earlier = await findByIdempotencyKey(db, s.sender, s.idempotencyKey);
      if (earlier) return replay(earlier, requestHash);
    }
    if (isUniqueViolation(err, 'documents_sender_code_year_number_key')) {
      throw new DomainError(ErrorCode.DUPLICATE_DOCUMENT, 'Số văn bản này đã được dùng trong năm.', []);
    }
    throw err;
  }
}

function replay(earlier: { id: string; requestHash: string | null; status: DocumentStatus }, requestHash: string): Accepted {
  if (earlier.requestHash !== requestHash) {
    throw new DomainError(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      'Idempotency-Key này đã được dùng cho một yêu cầu khác (the key was used with a different body).',
      [{ documentId: earlier.id }],
    );
  }
  return { id: earlier.id, status: earlier.status, created: false };
}

async function writeDocument(
  tx: import('../../db/pool').Tx,
  s: Submission,
  limits: AcceptLimits,
  requestHash: string,
  incomingSignature: IncomingSignatureSummary | null,
  source: SourceCheck | null,
): Promise<Accepted> {
  const m = s.metadata;
  const year = Number(m.issuedOn.slice(0, 4));
  let number: string;
  if (m.number) {
    // Paper and electronic documents share one register (Decree 30): either may hold the number.
    const taken = await findNumberHolder(tx, s.sender, year, m.number);
    if (taken) {
      throw new DomainError(
        ErrorCode.DUPLICATE_DOCUMENT,
        `Số ${m.number} năm ${year} đã được dùng cho văn bản ${m.number}/${taken.notation}${taken.onPaper ? ' (gửi giấy)' : ''}.`,
        [taken.onPaper ? { paperDocumentId: taken.id } : { documentId: taken.id }],
      );
    }
    await observeNumber(tx, s.sender, year, 'outgoing', Number.parseInt(m.number, 10));
    number = m.number;
  } else {
    number = formatNumber(await issueNextNumber(tx, s.sender, year, 'outgoing'));
  }
  const recipients = await resolveRecipients(tx, s.sender, m.recipients, limits.maxRecipients);
  const id = randomUUID();
  await insertDocument(tx, {
    id,
    senderCode: s.sender,
    documentType: m.documentType,
    number,
    notation: m.notation,
    year,
    issuedOn: m.issuedOn,
    place: m.place,
    subject: m.subject,
    summary: m.summary ?? null,
    signer: m.signer,
    urgency: m.urgency,
    dueOn: m.dueOn ?? null,
    classification: m.classification,
    recipientsRef: m.recipients,
    recipientsText: m.recipientsText ?? [],
    responseFor: m.responseFor ?? null,
    steeringType: m.steeringType ?? null,
    businessType: s.businessType ?? 0,
    idempotencyKey: s.idempotencyKey ?? null,
    requestHash,
  });
  await tx.query(`UPDATE documents SET incoming_signature = $2, body = $3, source_type = $4 WHERE id = $1`, [
    id,
    incomingSignature,
    s.body ? JSON.stringify(s.body) : null,
    s.body ? 'body' : source!.type,
  ]);
  if (s.file) {
    const original = await putBlob(tx, s.file.bytes, source!.contentType);
    await attachFile(tx, id, 'original', original, s.file.name);
  }
  for (const [i, a] of s.attachments.entries()) {
    const blob = await putBlob(tx, a.bytes, sniffContentType(a.bytes) ?? 'application/octet-stream');
    await attachFile(tx, id, `attachment-${i + 1}`, blob, a.name);
  }
  await insertDispatches(tx, id, recipients);
  await addToOutbox(tx, [{ stage: Stage.convert, payload: { documentId: id }, priority: priorityOf(m.urgency) }]);
  // Last before COMMIT: the ledger's chain lock is held from here to the end of the transaction.
  await appendLedger(tx, {
    kind: LedgerKind.documentAccepted,
    documentId: id,
    sender: s.sender,
    detail: { number, notation: m.notation, year, recipients: recipients.length },
  });
  return { id, status: 'accepted', created: true };
}

function validateBeforeWriting(s: Submission, limits: AcceptLimits): SourceCheck | null {
  const m = s.metadata;
  if (m.sender !== undefined && m.sender !== s.sender) {
    throw new DomainError(ErrorCode.FORBIDDEN, `Khóa API của ${s.sender} không được gửi văn bản thay cho ${m.sender}.`, [
      { path: 'metadata.sender', value: m.sender },
    ]);
  }
  if (m.classification !== 'normal') {
    throw new DomainError(
      ErrorCode.CLASSIFIED_DOCUMENT,
      'Văn bản mật không được trao đổi qua mạng (classified documents are not exchanged electronically).',
      [{ path: 'metadata.classification', value: m.classification }],
    );
  }
  const issued = Date.parse(`${m.issuedOn}T00:00:00+07:00`);
  if (Number.isNaN(issued)) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Ngày ban hành không hợp lệ: ${m.issuedOn}.`, [{ path: 'metadata.issuedOn' }]);
  }
  if (issued > Date.now() + limits.futureSkewDays * 86_400_000) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Ngày ban hành ${m.issuedOn} ở tương lai.`, [{ path: 'metadata.issuedOn' }]);
  }
  if (m.dueOn && m.dueOn < m.issuedOn) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Hạn xử lý phải sau ngày ban hành.', [{ path: 'metadata.dueOn' }]);
  }
  if (!s.file === !s.body) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Gửi hoặc một tệp văn bản, hoặc nội dung "body" để soạn theo thể thức — không cả hai.', [{ path: 'file' }]);
  }
  return s.file ? checkSourceFile(s.file, 'file') : null;
}

/** What makes two submissions "the same request" for Idempotency-Key. */
function hashSubmission(s: Submission): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(s.metadata));
  if (s.body) h.update('\0body\0').update(JSON.stringify(s.body));
  for (const f of [...(s.file ? [s.file] : []), ...s.attachments]) h.update('\0').update(f.name).update('\0').update(f.bytes);
  return h.digest('hex');
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === UNIQUE_VIOLATION && e.constraint === constraint;
}
