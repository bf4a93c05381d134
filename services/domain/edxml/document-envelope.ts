import type { Queryable } from '../../db/pool';
import { edxmlTimestampOf, emitEdxmlDocument, fromDocumentMetadata, type EdxmlAttachment, type EdxmlResponseFor, type EdxmlTraceHeader } from '../../edxml';
import { relayOriginOf } from '../peers/relay-origin';
import { findAgencies } from '../agencies/agency.repository';
import { getBlob, listFiles } from '../blobs/blob.repository';
import type { DocumentRow } from '../documents/document-reads';
import { documentMetadataOf } from '../documents/document-metadata';
import { safeFileName } from '../files/safe-file-name';
import { visibleToCallerSql } from '../references/scoped-reference';
import { documentIdOf } from './document-id-key';

/**
 * Our document as an edXML envelope (QCVN 102:2016): the sender, every recipient, the signed PDF
 * (or the canonical one before signing) and the attachments. Used by GET /v1/documents/:id/edxml
 * and by push delivery.
 */
export async function documentEnvelope(db: Queryable, doc: DocumentRow, opts: { hop?: EdxmlTraceHeader; revoke?: { reason: string } } = {}): Promise<string> {
  const recipients = (await db.query<{ code: string }>(`SELECT recipient_code AS code FROM dispatches WHERE document_id = $1 ORDER BY recipient_code`, [doc.id])).rows.map(
    (r) => r.code,
  );
  const agencies = new Map((await findAgencies(db, [doc.senderCode, ...recipients])).map((a) => [a.code, a]));
  const organ = (code: string) => ({ organId: code, organName: agencies.get(code)?.name ?? code });
  const files = await listFiles(db, doc.id);
  const main = files.find((f) => f.role === 'signed') ?? files.find((f) => f.role === 'canonical') ?? files.find((f) => f.role === 'original');
  const attachments: EdxmlAttachment[] = [];
  // A revoke (BussinessDocType 1) names the document; it carries no files.
  for (const f of opts.revoke ? [] : [main, ...files.filter((x) => /^attachment-\d+$/.test(x.role))]) {
    if (!f) continue;
    attachments.push({
      contentId: f.role,
      name: f.role.startsWith('attachment-') ? safeFileName(f.name, `${f.role}.pdf`) : safeFileName(`${doc.number}-${doc.notation}.pdf`.replace(/[\\/]/g, '_'), 'document.pdf'),
      contentType: f.contentType,
      bytes: await getBlob(db, f.sha256),
    });
  }
  let responseFor: EdxmlResponseFor[] = [];
  if (doc.responseFor) {
    // Only a document the sender itself sent or received is named (older rows were not checked at intake).
    const r = await db.query(
      `SELECT d.sender_code AS sender, d.number, d.notation, d.issued_on AS "issuedOn", d.idempotency_key AS "idempotencyKey"
         FROM documents d WHERE d.id = $1 AND ${visibleToCallerSql(2)}`,
      [doc.responseFor, doc.senderCode],
    );
    const x = r.rows[0];
    if (x) {
      responseFor = [
        { organId: x.sender, code: `${x.number}/${x.notation}`, promulgationDate: x.issuedOn, documentId: documentIdOf({ ...x, senderCode: x.sender }) },
      ];
    }
  }
  const { responseFor: _ours, ...metadata } = documentMetadataOf(doc, recipients);
  // TraceHeaderList: the sender's own entry, or the hops a relayed document came through; then this hop (a relay).
  const origin = await relayOriginOf(db, doc.id);
  const traceHeaders = [...(origin?.trace ?? [{ organId: doc.senderCode, timestamp: edxmlTimestampOf(doc.createdAt) }]), ...(opts.hop ? [opts.hop] : [])];
  const envelope = fromDocumentMetadata(
    metadata,
    {
      from: organ(doc.senderCode),
      to: recipients.map(organ),
      documentId: documentIdOf(doc),
      attachments,
      responseFor,
      business: opts.revoke
        ? { businessDocType: 1, businessDocReason: opts.revoke.reason, documentId: documentIdOf(doc), paper: 0 }
        : { businessDocType: doc.businessType as 0 | 1 | 2 | 3, paper: 0 },
      sentAt: doc.createdAt,
      traceHeaders,
    },
  );
  return emitEdxmlDocument(envelope);
}
