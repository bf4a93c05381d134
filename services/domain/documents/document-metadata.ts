import { DOCUMENT_TYPES, type DocumentMetadata, type DocumentType } from '../../../contracts';
import type { DocumentRow } from './document-reads';

/** A stored document as the API's metadata contract, for the given recipient list. */
export function documentMetadataOf(doc: DocumentRow, recipients: string[]): DocumentMetadata & { number: string } {
  return {
    documentType: (doc.documentType in DOCUMENT_TYPES ? doc.documentType : 'CV') as DocumentType,
    number: doc.number,
    notation: doc.notation,
    issuedOn: doc.issuedOn,
    place: doc.place,
    subject: doc.subject,
    ...(doc.summary ? { summary: doc.summary } : {}),
    signer: doc.signer,
    urgency: doc.urgency,
    dueOn: doc.dueOn,
    classification: 'normal',
    recipients,
    recipientsText: doc.recipientsText,
    responseFor: doc.responseFor,
    ...(doc.steeringType ? { steeringType: doc.steeringType as 'none' | 'steering' | 'report' } : {}),
  };
}
