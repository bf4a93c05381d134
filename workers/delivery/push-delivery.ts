import type { Config } from '../../services/config/config';
import type { Queryable } from '../../services/db/pool';
import type { AgencyRow } from '../../services/domain/agencies/agency.repository';
import { getBlob, listFiles } from '../../services/domain/blobs/blob.repository';
import type { DocumentRow } from '../../services/domain/documents/document-reads';
import { documentEnvelope } from '../../services/domain/edxml/document-envelope';
import { receiptProblem } from './delivery-receipt';
import { PushError } from './push-transport';
import { postSigned, pushPolicyOf, webhookSecretOf } from './signed-post';

export { signDelivery } from './signed-post';

/** Which proof a delivered push had: a 2xx without redirect, or a receipt naming the delivery. */
export type DeliveryProof = 'http-2xx' | 'receipt';

/**
 * POSTs the signed document to the agency's own system: the edXML envelope by default, JSON when
 * the agency chose it. The dispatch id is the delivery id, stable across retries, so the receiver
 * can deduplicate. Resolves with the proof only when the push delivered; throws PushError
 * otherwise (BullMQ retries with backoff).
 */
export async function pushToAgency(
  db: Queryable,
  config: Config,
  agency: AgencyRow,
  doc: DocumentRow,
  dispatchId: string,
  attempt: number,
): Promise<{ httpStatus: number; proof: DeliveryProof }> {
  const secret = await webhookSecretOf(db, config.masterKey, agency.code);
  const { body, contentType } = agency.pushFormat === 'json' ? await jsonBody(db, doc, dispatchId) : { body: await documentEnvelope(db, doc), contentType: 'application/xml' };
  const res = await postSigned({
    url: agency.endpointUrl!,
    secret,
    deliveryId: dispatchId,
    body,
    contentType,
    attempt,
    allowPrivate: agency.allowPrivateEndpoint,
    ...pushPolicyOf(config),
  });
  if (!agency.pushReceipt) return { httpStatus: res.status, proof: 'http-2xx' };
  const problem = receiptProblem(res, {
    deliveryId: dispatchId,
    recipientCode: agency.code,
    sender: doc.senderCode,
    issuedOn: doc.issuedOn,
    number: doc.number,
    notation: doc.notation,
    idempotencyKey: doc.idempotencyKey,
  });
  if (problem) throw new PushError(problem, res.status);
  return { httpStatus: res.status, proof: 'receipt' };
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
