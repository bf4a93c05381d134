import { ErrorCode, Stage, type Body, type DocumentMetadata, type DocumentStatus, LedgerKind } from '../../../contracts';
import type { Db } from '../../db/pool';
import { inTransaction } from '../../db/pool';
import { refuseSandboxCrossing } from '../agencies/sandbox-rule';
import { directoryFactsSql, factsFromMemory, rememberAgencies, resolveFromDirectory, splitRefs, type DirectoryFacts } from '../agencies/resolve-recipients';
import { putBlob, putBlobFromFile } from '../blobs/blob.repository';
import { DomainError } from '../errors/domain-error';
import { appendLedger } from '../ledger/ledger.repository';
import { priorityOf } from '../../pipeline/priority';
import { checkArrivingSignatures, checkArrivingSignaturesOfFile } from './arriving-signatures';
import { insertAcceptedDocument, type AcceptedFile, type AcceptedWrite } from './document.repository';
import { requireSigningCertificate } from './signing-readiness';
import type { AcceptLimits } from './accept-limits';
import { attachmentType, checkMainFile, fileRow, prepare, type IncomingFile, type PreparedFile } from './incoming-files';
import { hashSubmission, validateBeforeWriting } from './submission-checks';
import { recordRelayOrigin, withPeerAgencies, type RelayOrigin } from '../peers/relay-origin';
import { unknownReference, visibleToCallerSql } from '../references/scoped-reference';
import { newRowId } from '../../db/row-id';

// The channels' types, kept importable from here (what acceptDocument takes).
export type { AcceptLimits } from './accept-limits';
export type { IncomingFile, InMemoryFile, SpilledFile } from './incoming-files';

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
  /** Arrived from a peer hub (issue 22): where from, recorded with the document (relayed_documents). */
  relayedFrom?: RelayOrigin | undefined;
}

export interface Accepted {
  id: string;
  status: DocumentStatus;
  /** false when an earlier submission with the same Idempotency-Key answered. */
  created: boolean;
}

const UNIQUE_VIOLATION = '23505';

/** What the intake asks the database before writing, in one round trip. */
interface Lookup extends DirectoryFacts {
  earlier: { id: string; requestHash: string | null; status: DocumentStatus } | null;
  holder: { id: string; notation: string; onPaper: boolean } | null;
  /** metadata.responseFor names a document the sender sent or received (true when there is none). */
  referenceOk: boolean;
  /** metadata.registerBook is one of the sender's outgoing books (true when there is none). */
  bookOk: boolean;
}

/**
 * The accept stage: validate, then in one transaction store the blobs, the document, one dispatch
 * per recipient, a ledger row and the outbox row for the convert stage. Nothing is written unless
 * everything is: a refused submission leaves no row, blob or job behind.
 *
 * Round trips for a new document: one lookup (Idempotency-Key, a given number's holder, the
 * directory; skipped when there is no key, no given number and every recipient is an agency code
 * seen before), then ONE statement for the register, document, blobs, files, dispatches, outbox
 * and, last, the ledger's accept row (insertAcceptedDocument with appendAccepted), all or nothing
 * without a transaction around it. Large files (temporary files of spilled uploads, or bytes above
 * one blob chunk) are stored chunk by chunk first, and a relayed document records its origin, so
 * those take a transaction: BEGIN, the chunks, the statement, the origin, the ledger append, COMMIT.
 */
export async function acceptDocument(db: Db, s: Submission, limits: AcceptLimits): Promise<Accepted> {
  validateBeforeWriting(s, limits);
  const main = s.file ? prepare(s.file, 0) : null;
  const attachments = s.attachments.map((a, i) => prepare(a, i + 1));
  // An empty annex carries nothing to deliver: refused here, naming it, not failed later.
  const empty = attachments.findIndex((a) => a.size === 0);
  if (empty >= 0) {
    throw new DomainError(ErrorCode.INVALID_FILE, `Tệp đính kèm ${attachments[empty]!.name} rỗng.`, [{ path: `attachments[${empty}]`, name: attachments[empty]!.name }]);
  }
  const source = main ? await checkMainFile(main) : null;
  const incomingSignature =
    main && source?.type === 'pdf'
      ? main.bytes
        ? await checkArrivingSignatures(db, main.bytes, limits)
        : await checkArrivingSignaturesOfFile(db, main.path!, limits)
      : null;
  const requestHash = await hashSubmission(s, main, attachments);
  const lookup = (!s.idempotencyKey && !s.metadata.number && !s.metadata.responseFor && !s.metadata.registerBook && quickLookup(db, s)) || (await lookUp(db, s));
  if (lookup.earlier) return replay(lookup.earlier, requestHash);
  // Refused at the door rather than failed at the sign stage (a replay above answers as before).
  await requireSigningCertificate(db, s.sender);
  // Recipients not in the directory but served by a peer hub are reached through it (relay).
  lookup.known = await withPeerAgencies(db, s.metadata.recipients, lookup.known);
  const m = s.metadata;
  // An answer may name only a document the sender sent or received: anything else would let it
  // probe other agencies' documents (and copy their numbers into its own edXML).
  if (m.responseFor && !lookup.referenceOk) throw unknownReference('metadata.responseFor');
  if (m.registerBook && !lookup.bookOk) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Không có sổ văn bản đi này của cơ quan gửi.', [{ path: 'metadata.registerBook' }]);
  }
  const year = Number(m.issuedOn.slice(0, 4));
  if (m.number && lookup.holder) {
    // Paper and electronic documents share one register (Decree 30): either may hold the number.
    const taken = lookup.holder;
    throw new DomainError(
      ErrorCode.DUPLICATE_DOCUMENT,
      `Số ${m.number} năm ${year} đã được dùng cho văn bản ${m.number}/${taken.notation}${taken.onPaper ? ' (gửi giấy)' : ''}.`,
      [taken.onPaper ? { paperDocumentId: taken.id } : { documentId: taken.id }],
    );
  }
  const recipients = resolveFromDirectory(s.sender, m.recipients, lookup, limits.maxRecipients);
  refuseSandboxCrossing(s.sender, recipients.map((r) => r.code));
  const files: (AcceptedFile & { from: PreparedFile })[] = [];
  if (main) files.push(fileRow('original', main, source!.contentType));
  for (const [i, a] of attachments.entries()) files.push(fileRow(`attachment-${i + 1}`, a, await attachmentType(a)));
  try {
    const id = newRowId();
    const write = (): AcceptedWrite => ({
      doc: {
        id,
        senderCode: s.sender,
        documentType: m.documentType,
        number: m.number ?? null,
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
        incomingSignature,
        body: s.body ?? null,
        sourceType: s.body ? 'body' : source!.type,
        registerBookId: m.registerBook ?? null,
      },
      files: files.map(({ from: _from, ...f }) => f),
      dispatches: recipients.map((r) => ({ id: newRowId(), code: r.code, viaGroup: r.viaGroup })),
      outbox: { topic: Stage.convert, payload: { documentId: id }, priority: priorityOf(m.urgency) },
    });
    // The usual submission (small files, not relayed): ONE statement on the pool, the accept row
    // appended last in it (issue 25: no BEGIN, no separate ledger call, no COMMIT).
    if (files.every((f) => f.inline) && !s.relayedFrom) {
      await insertAcceptedDocument(db, { ...write(), appendAccepted: { recipients: recipients.length } });
      return { id, status: 'accepted' as const, created: true };
    }
    return await inTransaction(db, async (tx) => {
      // Chunked blobs first: their rows must exist when the statement below checks its foreign keys.
      for (const f of files) {
        if (f.inline) continue;
        if (f.from.path) await putBlobFromFile(tx, f.from.path, f.contentType, { sha256: f.sha256 });
        else await putBlob(tx, f.from.bytes!, f.contentType);
      }
      const number = await insertAcceptedDocument(tx, write());
      if (s.relayedFrom) await recordRelayOrigin(tx, id, s.relayedFrom);
      // Last before COMMIT: the ledger's chain lock is held from here to the end of the transaction.
      await appendLedger(tx, {
        kind: LedgerKind.documentAccepted,
        documentId: id,
        sender: s.sender,
        detail: { number, notation: m.notation, year, recipients: recipients.length },
      });
      return { id, status: 'accepted' as const, created: true };
    });
  } catch (err) {
    // Two concurrent requests with one Idempotency-Key: the loser answers with the winner's result.
    if (isUniqueViolation(err, 'documents_sender_code_idempotency_key_key') && s.idempotencyKey) {
      const earlier = (await lookUp(db, s)).earlier;
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

/** No Idempotency-Key, no given number, recipients all known agencies: nothing to ask the database. */
function quickLookup(db: Db, s: Submission): Lookup | undefined {
  const facts = factsFromMemory(db, s.metadata.recipients);
  return facts && { ...facts, earlier: null, holder: null, referenceOk: true, bookOk: true };
}

/** One statement: an earlier document with this Idempotency-Key, the holder of a given number, the directory's answer. */
async function lookUp(db: Db, s: Submission): Promise<Lookup> {
  const m = s.metadata;
  const { groupIds, direct } = splitRefs(m.recipients);
  const r = await db.query<Lookup>(
    `SELECT
       (SELECT json_build_object('id', id, 'requestHash', request_hash, 'status', status) FROM documents
         WHERE $2::text IS NOT NULL AND sender_code = $1 AND idempotency_key = $2) AS earlier,
       (SELECT json_build_object('id', h.id, 'notation', h.notation, 'onPaper', h.on_paper) FROM (
          SELECT id, notation, false AS on_paper FROM documents WHERE $4::text IS NOT NULL AND sender_code = $1 AND year = $3 AND lienthong_number_key(number) = lienthong_number_key($4)
          UNION ALL
          SELECT id, notation, true FROM paper_documents WHERE $4::text IS NOT NULL AND sender_code = $1 AND year = $3 AND lienthong_number_key(number) = lienthong_number_key($4)
          LIMIT 1) h) AS holder,
       ($7::uuid IS NULL OR EXISTS (SELECT 1 FROM documents d WHERE d.id = $7::uuid AND ${visibleToCallerSql(1)})) AS "referenceOk",
       ($8::uuid IS NULL OR EXISTS (SELECT 1 FROM register_books b WHERE b.id = $8::uuid AND b.agency_code = $1 AND b.kind = 'outgoing')) AS "bookOk",
       ${directoryFactsSql(5, 6)}`,
    [s.sender, s.idempotencyKey ?? null, Number(m.issuedOn.slice(0, 4)), m.number ?? null, groupIds, direct, m.responseFor ?? null, m.registerBook ?? null],
  );
  const found = r.rows[0]!;
  rememberAgencies(db, found.known);
  return found;
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === UNIQUE_VIOLATION && e.constraint === constraint;
}
