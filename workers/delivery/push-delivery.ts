import type { Queryable } from '../../services/db/pool';
import type { AgencyRow } from '../../services/domain/agencies/agency.repository';
import { getBlob, listFiles } from '../../services/domain/blobs/blob.repository';
import type { DocumentRow } from '../../services/domain/documents/document.repository';
import { documentEnvelope } from '../../services/domain/edxml/document-envelope';
import { postSigned, webhookSecretOf } from './signed-post';

export { signDelivery } from './signed-post';

/**
 * POSTs the signed document to the agency's own system: the edXML envelope by default, JSON when
 * the agency chose it. The dispatch id is the delivery id, stable across retries, so the receiver
 * can deduplicate. Throws on anything but 2xx; BullMQ retries with backoff.
 */
export async function pushToAgency(
  db: Queryable,
  masterKey: Buffer,
  agency: AgencyRow,
  doc: DocumentRow,
  dispatchId: string,
  attempt: number,
  timeoutMs: number,
): Promise<void> {
  const secret = await webhookSecretOf(db, masterKey, agency.code);
  const { body, contentType } = agency.pushFormat === 'json' ? await jsonBody(db, doc, dispatchId) : { body: await documentEnvelope(db, doc), contentType: 'application/xml' };
  await postSigned({ agencyCode: agency.code, url: agency.endpointUrl!, secret, deliveryId: dispatchId, body, contentType, attempt, timeoutMs });
}

async function jsonBody(db: Queryable, doc: DocumentRow, dispatchId: string): Promise<{ body: string; contentType: string }> {
  const signed = (await listFiles(db, doc.id)).find((f) => f.role === 'signed');
  if (!signed) throw new Error('the document has no signed PDF');
  const body = JSON.stringify({
    deliveryId: dispatchId,
    document: {
      id: doc.id,
      sender: doc.senderCode,
      documentType: doc.documentType,
      number: doc.number,
      notation: doc.notation,
      issuedOn: doc.issuedOn,
      subject: doc.subject,
      urgency: doc.urgency,
      dueOn: doc.dueOn,
    },
    files: [{ role: 'signed', contentType: 'application/pdf', contentBase64: (await getBlob(db, signed.sha256)).toString('base64') }],
  });
  return { body, contentType: 'application/json' };
}
