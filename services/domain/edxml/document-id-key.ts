import { edxmlDocumentId } from '../../edxml';

/** Idempotency keys are at most this long (documents.idempotency_key). */
const KEY_MAX = 200;
const PREFIX = 'edxml:';

/**
 * The idempotency key a document arriving by edXML is kept under: its sender's DocumentId, so the
 * same envelope twice is one document and a ResponseFor naming that id finds it.
 */
export function edxmlIdempotencyKey(documentId: string): string {
  return `${PREFIX}${documentId}`.slice(0, KEY_MAX);
}

/**
 * The DocumentId to write for our document: the one its sender's system issued when it arrived by
 * edXML (kept whole, naming its sender), so recipients and status answers carry the id the
 * sender's system knows; otherwise the id made of its parts (sender, date, số/ký hiệu).
 */
export function documentIdOf(doc: { senderCode: string; issuedOn: string; number: string; notation: string; idempotencyKey?: string | null }): string {
  const key = doc.idempotencyKey;
  if (key?.startsWith(PREFIX) && key.length < KEY_MAX) {
    const kept = key.slice(PREFIX.length);
    if (kept.startsWith(`${doc.senderCode},`)) return kept;
  }
  return edxmlDocumentId(doc.senderCode, doc.issuedOn, doc.number, doc.notation);
}
