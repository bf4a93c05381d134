import { createHmac } from 'node:crypto';
import type { Queryable } from '../../services/db/pool';
import type { AgencyRow } from '../../services/domain/agencies/agency.repository';
import { getBlob, listFiles } from '../../services/domain/blobs/blob.repository';
import type { DocumentRow } from '../../services/domain/documents/document.repository';
import { openSecret } from '../../services/pki/key-envelope';
import { documentEnvelope } from '../../services/domain/edxml/document-envelope';

/** HMAC over `timestamp.body`, so a receiver can reject replays and forgeries. */
export function signDelivery(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

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
  const secretRow = await db.query<{ webhook_secret_enc: string | null }>(`SELECT webhook_secret_enc FROM agencies WHERE code = $1`, [agency.code]);
  const sealed = secretRow.rows[0]?.webhook_secret_enc;
  if (!sealed) throw new Error(`agency ${agency.code} has no webhook secret`);
  const secret = openSecret(sealed, masterKey, 'webhook-secret');
  const { body, contentType } = agency.pushFormat === 'json' ? await jsonBody(db, doc, dispatchId) : { body: await documentEnvelope(db, doc), contentType: 'application/xml' };
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await fetch(agency.endpointUrl!, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-lienthong-delivery': dispatchId,
      'x-lienthong-timestamp': timestamp,
      'x-lienthong-signature': signDelivery(secret, timestamp, body),
      'x-lienthong-attempt': String(attempt),
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((err: Error & { cause?: { code?: string; message?: string } }) => {
    // fetch says only "fetch failed"; the cause (ECONNREFUSED, a timeout) is what an operator needs.
    throw new Error(`push to ${agency.code} failed: ${err.cause?.code ?? err.cause?.message ?? err.name + ' ' + err.message}`);
  });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new Error(`push to ${agency.code} answered HTTP ${res.status}`);
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
