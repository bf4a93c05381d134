import { randomUUID } from 'node:crypto';
import { DocumentStatus, Stage, type DocumentMetadata } from '../../contracts';
import type { Queryable } from '../../services/db/pool';
import { insertAcceptedDocument, routeDocument } from '../../services/domain/documents/document.repository';
import { priorityOf } from '../../services/pipeline/priority';

/** What a test chooses of a document; the rest takes plain defaults. */
export interface TestDocumentSpec {
  sender: string;
  recipients: string[];
  documentType?: string;
  /** null: the sender's register issues the next number, as for a real submission. */
  number?: string | null;
  notation?: string;
  issuedOn?: string;
  place?: string;
  subject?: string;
  signer?: DocumentMetadata['signer'];
  urgency?: DocumentMetadata['urgency'];
  dueOn?: string | null;
}

/**
 * A document accepted exactly as the API accepts one (insertAcceptedDocument: the document, one
 * pending dispatch per recipient, the convert job's outbox row), without files: for tests of what
 * comes after. Returns its id, its number and its dispatch ids in the order of `recipients`.
 */
export async function acceptTestDocument(tx: Queryable, s: TestDocumentSpec): Promise<{ documentId: string; number: string; dispatchIds: string[] }> {
  const documentId = randomUUID();
  const dispatches = s.recipients.map((code) => ({ id: randomUUID(), code, viaGroup: null }));
  const issuedOn = s.issuedOn ?? '2026-11-27';
  const urgency = s.urgency ?? 'normal';
  const number = await insertAcceptedDocument(tx, {
    doc: {
      id: documentId,
      senderCode: s.sender,
      documentType: s.documentType ?? 'CV',
      number: s.number === undefined ? null : s.number,
      notation: s.notation ?? 'UBND-VP',
      year: Number(issuedOn.slice(0, 4)),
      issuedOn,
      place: s.place ?? 'Buôn Ma Thuột',
      subject: s.subject ?? 'Văn bản thử',
      summary: null,
      signer: s.signer ?? { position: 'CHÁNH VĂN PHÒNG', fullName: 'Nguyễn Văn A' },
      urgency,
      dueOn: s.dueOn ?? null,
      classification: 'normal',
      recipientsRef: s.recipients,
      recipientsText: [],
      responseFor: null,
      steeringType: null,
      businessType: 0,
      idempotencyKey: null,
      requestHash: null,
      incomingSignature: null,
      body: null,
      sourceType: 'pdf',
    },
    files: [],
    dispatches,
    outbox: { topic: Stage.convert, payload: { documentId }, priority: priorityOf(urgency) },
  });
  return { documentId, number, dispatchIds: dispatches.map((d) => d.id) };
}

/**
 * The route stage's own statement (routeDocument), skipping convert and sign: the document routed,
 * each pending copy on its recipient's channel from the directory, a deliver job each in the outbox.
 */
export async function routeTestDocument(db: Queryable, documentId: string, from: DocumentStatus = DocumentStatus.accepted): Promise<void> {
  const n = await routeDocument(db, { id: documentId, from, to: DocumentStatus.routed, topic: Stage.deliver, priorities: [] });
  if (!n.moved) throw new Error(`document ${documentId} was not in ${from}`);
}
