import { EdxmlStatusCode, ErrorCode } from '../../../contracts';
import { inTransaction, type Db } from '../../db/pool';
import { EdxmlError, toDocumentMetadata, type EdxmlDocument, type EdxmlMessage, type EdxmlResponseFor, type EdxmlStatus } from '../../edxml';
import { recordStatusIn, type StatusResult } from '../dispatches/record-status';
import { acceptDocument, type AcceptLimits, type Accepted, type IncomingFile } from '../documents/accept-document';
import { revokeDocument, type RevokeResult } from '../documents/revoke-document';
import { DomainError } from '../errors/domain-error';
import { sniffContentType } from '../files/sniff-content-type';
import { safeFileName } from '../files/safe-file-name';
import { findDocumentByReference, type EdxmlReference } from './document-reference';
import { noPdfError } from './no-pdf-explanation';
import { edxmlIdempotencyKey } from './document-id-key';
import { unknownReference } from '../references/scoped-reference';
import type { RelayOrigin } from '../peers/relay-origin';
import { markDocumentReplaced } from '../documents/document.repository';

export type EdxmlOutcome =
  | { kind: 'document'; businessDocType: 0 | 2 | 3; result: Accepted }
  | { kind: 'revoke'; result: RevokeResult }
  | { kind: 'status'; results: StatusResult[] };

/**
 * POST /v1/edxml: an envelope becomes a document exactly as POST /v1/documents would make it (the
 * same acceptDocument, idempotent by its DocumentId); revoke, update and replace act on the
 * document they reference; a status message goes to the status flow. The sender named in the
 * envelope must be the caller's own agency.
 */
export async function receiveEdxml(db: Db, caller: string, actor: string, message: EdxmlMessage, limits: AcceptLimits, relayedFrom?: RelayOrigin): Promise<EdxmlOutcome> {
  if (message.kind === 'status') return { kind: 'status', results: await receiveStatus(db, caller, actor, message.status) };
  const doc = message.document;
  if (doc.from.organId !== caller) {
    throw new DomainError(ErrorCode.FORBIDDEN, `Nơi gửi trong edXML (${doc.from.organId}) không phải cơ quan của khóa API (${caller}).`, [
      { element: 'MessageHeader/From/OrganId' },
    ]);
  }
  const type = doc.business.businessDocType;
  if (type === 1) {
    const target = await referencedDocument(db, doc, caller);
    const reason = doc.business.businessDocReason || 'Thu hồi văn bản';
    return { kind: 'revoke', result: await inTransaction(db, (tx) => revokeDocument(tx, caller, target, reason, actor)) };
  }
  const responseFor = type === 2 || type === 3 ? await referencedDocument(db, doc, caller) : await answeredDocument(db, doc, caller);
  if (type === 3 && responseFor) await refuseReplacingInFlight(db, responseFor);
  const metadata = mapMetadata(doc, responseFor);
  const [file, ...rest] = pdfFirst(doc);
  const documentId = doc.documentId ?? `${doc.from.organId},${doc.promulgation.date},${doc.code.number}/${doc.code.notation}`;
  const result = await acceptDocument(db, { sender: caller, metadata, file: file!, attachments: rest, idempotencyKey: edxmlIdempotencyKey(documentId), businessType: type, relayedFrom }, limits);
  // Again on a replay: a first attempt that stopped between the two steps is completed.
  if (type === 3 && responseFor) await markDocumentReplaced(db, responseFor);
  return { kind: 'document', businessDocType: type, result };
}

/**
 * A replacement (BussinessDocType 3) names a document that has been sent (routed, or already
 * replaced, revoked or failed). One still on its way through the pipeline is not replaced under
 * it: the answer is 409 and nothing is written, so the sender's system sends the replacement again
 * once the document has gone out (seconds later).
 */
async function refuseReplacingInFlight(db: Db, id: string): Promise<void> {
  const r = await db.query<{ status: string }>(`SELECT status FROM documents WHERE id = $1 AND status = ANY (lienthong_in_flight_document_statuses())`, [id]);
  if (r.rows[0]) {
    throw new DomainError(ErrorCode.CONFLICT, `Văn bản bị thay thế đang được xử lý (${r.rows[0].status}); gửi lại văn bản thay thế khi văn bản đó đã được gửi đi.`, [
      { element: 'TraceHeaderList/Bussiness/BussinessDocType', status: r.rows[0].status },
    ]);
  }
}

function mapMetadata(doc: EdxmlDocument, responseFor: string | null) {
  try {
    return { ...toDocumentMetadata(doc, doc.to.map((t) => t.organId)), responseFor };
  } catch (err) {
    if (err instanceof EdxmlError) throw edxmlDomainError(err);
    throw err;
  }
}

/** The main file is the first PDF attachment; the others stay separate attachments. */
function pdfFirst(doc: EdxmlDocument): IncomingFile[] {
  const files = doc.attachments.map((a, i) => ({ name: safeFileName(a.name, `attachment-${i + 1}`), declaredType: a.contentType, bytes: a.bytes }));
  const i = files.findIndex((f) => sniffContentType(f.bytes) === 'application/pdf');
  if (i < 0) throw noPdfError(doc.attachments);
  return [files[i]!, ...files.filter((_, j) => j !== i)];
}

async function referencedDocument(db: Db, doc: EdxmlDocument, caller: string): Promise<string> {
  const refs: EdxmlReference[] = [
    ...doc.responseFor.map(responseForRef),
    ...(doc.business.documentId ? [{ organId: '', code: '', promulgationDate: null, documentId: doc.business.documentId, documentIdElement: 'TraceHeaderList/Bussiness/DocumentId' }] : []),
  ];
  return firstFound(db, refs, caller, (found) => found.sender === caller);
}

/** A new document answering others: each ResponseFor must name a document the caller sent or received. */
async function answeredDocument(db: Db, doc: EdxmlDocument, caller: string): Promise<string | null> {
  if (doc.responseFor.length === 0) return null;
  return firstFound(db, doc.responseFor.map(responseForRef), caller, () => true);
}

/**
 * The first reference that finds a document (and passes `accept`). A reference whose DocumentId
 * carries a date that does not exist is answered 422 naming it only when no other reference finds
 * the document; otherwise the one answer for a reference the caller may not use.
 */
async function firstFound(db: Db, refs: EdxmlReference[], caller: string, accept: (found: { id: string; sender: string }) => boolean): Promise<string> {
  let invalid: DomainError | undefined;
  for (const ref of refs) {
    try {
      const found = await findDocumentByReference(db, ref, caller);
      if (found && accept(found)) return found.id;
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== ErrorCode.INVALID_EDXML) throw err;
      invalid ??= err;
    }
  }
  throw invalid ?? unknownReference('ResponseFor');
}

async function receiveStatus(db: Db, caller: string, actor: string, st: EdxmlStatus): Promise<StatusResult[]> {
  if (st.from.organId !== caller) {
    throw new DomainError(ErrorCode.FORBIDDEN, `Nơi gửi trạng thái (${st.from.organId}) không phải cơ quan của khóa API (${caller}).`, [
      { element: 'MessageHeader/From/OrganId' },
    ]);
  }
  // One answer whether the document does not exist, is another agency's, or has no copy for the caller.
  const target = await findDocumentByReference(db, responseForRef(st.responseFor), caller);
  if (!target) throw unknownReference('ResponseFor');
  const isSender = target.sender === caller;
  // A sender's status (a take-back) goes to every copy that arrived: all of them move in one
  // transaction, or none does (a copy that cannot move refuses the whole message, with nothing
  // written). The copies are taken in id order, so two messages on one document lock alike.
  return inTransaction(db, async (tx) => {
    const dispatches = await tx.query<{ id: string }>(
      isSender
        ? `SELECT id FROM dispatches WHERE document_id = $1 AND status <> ALL (lienthong_open_dispatch_statuses() || ARRAY['revoked', 'failed', 'paper']) ORDER BY id`
        : `SELECT id FROM dispatches WHERE document_id = $1 AND recipient_code = $2 ORDER BY id`,
      isSender ? [target.id] : [target.id, caller],
    );
    if (dispatches.rows.length === 0) throw unknownReference('ResponseFor');
    const results: StatusResult[] = [];
    for (const x of dispatches.rows) {
      results.push(await recordStatusIn(tx, { actingAgency: caller, dispatchId: x.id, code: st.statusCode as EdxmlStatusCode, note: st.description ?? null, actor }));
    }
    return results;
  });
}

const responseForRef = (r: EdxmlResponseFor) => ({ ...r, documentIdElement: 'MessageHeader/ResponseFor/DocumentId' });

export function edxmlDomainError(err: EdxmlError): DomainError {
  const code = err.code === 'EDXML_TOO_LARGE' ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.INVALID_EDXML;
  return new DomainError(code, `edXML không hợp lệ: ${err.message}`, [{ edxmlCode: err.code, element: err.element ?? null }]);
}
