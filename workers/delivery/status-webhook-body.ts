import { EDXML_STATUS_CODES, edxmlDocumentId, edxmlTimestampOf, emitEdxmlStatus, type EdxmlStatusCodeValue } from '../../services/edxml';
import type { StatusEventRow } from '../../services/domain/dispatches/status-webhook';
import type { StoredReceipt } from '../../services/domain/receipts/receipt.repository';

/** `<dispatch id>:<event id>`: stable across retries and unique per status, so receivers deduplicate. */
export function statusDeliveryId(ev: StatusEventRow): string {
  return `${ev.dispatchId}:${ev.eventId}`;
}

/**
 * The webhook body: an edXML status message when the sender's system speaks edXML, JSON otherwise.
 * In edXML, From is whoever posted the status: the sender for its own take-back (13), the
 * recipient for everything else.
 */
export function statusWebhookBody(ev: StatusEventRow, receipt?: StoredReceipt): { body: string; contentType: string; headers?: Record<string, string> } {
  // The hub's signed receipt of an arrival (01) or registration (03): a field of the JSON body, a
  // header beside an edXML status (the envelope's schema has no place for it).
  const receiptCms = receipt ? receipt.cms.toString('base64') : undefined;
  if (ev.pushFormat === 'json') {
    const body = {
      deliveryId: statusDeliveryId(ev),
      documentId: ev.documentId,
      dispatchId: ev.dispatchId,
      recipient: ev.recipient,
      code: ev.code,
      note: ev.note,
      at: ev.at.toISOString(),
      ...(receipt ? { receipt: { cms: receiptCms, content: JSON.parse(receipt.content.toString('utf8')) as unknown } } : {}),
    };
    return { body: JSON.stringify(body), contentType: 'application/json' };
  }
  if (!(EDXML_STATUS_CODES as readonly string[]).includes(ev.code)) throw new Error(`event ${ev.eventId} has no edXML status code (${ev.code})`);
  const fromSender = ev.code === '13';
  const xml = emitEdxmlStatus({
    from: fromSender ? { organId: ev.sender, organName: ev.senderName } : { organId: ev.recipient, organName: ev.recipientName },
    responseFor: {
      organId: ev.sender,
      code: `${ev.number}/${ev.notation}`,
      promulgationDate: ev.issuedOn,
      documentId: edxmlDocumentId(ev.sender, ev.issuedOn, ev.number, ev.notation),
    },
    ...(ev.actor ? { staffInfo: { staff: ev.actor } } : {}),
    statusCode: ev.code as EdxmlStatusCodeValue,
    ...(ev.note ? { description: ev.note } : {}),
    timestamp: edxmlTimestampOf(ev.at),
  });
  return { body: xml, contentType: 'application/xml', ...(receiptCms ? { headers: { 'x-lienthong-receipt': receiptCms } } : {}) };
}
