/**
 * What a signed receipt states (the content of the hub's CMS seal, JSON in this key order): the
 * hub recorded `statusCode` (01 arrived, 03 registered) for `dispatchId` at `at`, about the signed
 * document whose SHA-256 is `signedDocumentSha256`.
 */
export interface ReceiptContent {
  type: 'lienthong-receipt';
  version: 1;
  eventId: number;
  dispatchId: string;
  documentId: string;
  sender: string;
  recipient: string;
  statusCode: '01' | '03';
  /** The number the recipient registered it under (03 only). */
  incomingNumber: string | null;
  at: string;
  signedDocumentSha256: string | null;
}

export const RECEIPT_CODES = ['01', '03'] as const;

export function receiptBytes(c: ReceiptContent): Buffer {
  const ordered: ReceiptContent = {
    type: c.type, version: c.version, eventId: c.eventId, dispatchId: c.dispatchId, documentId: c.documentId,
    sender: c.sender, recipient: c.recipient, statusCode: c.statusCode, incomingNumber: c.incomingNumber, at: c.at,
    signedDocumentSha256: c.signedDocumentSha256,
  };
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

/** Parses and checks the shape; throws with a sentence when it is not a receipt. */
export function parseReceipt(bytes: Buffer): ReceiptContent {
  const v = JSON.parse(bytes.toString('utf8')) as ReceiptContent;
  if (v?.type !== 'lienthong-receipt' || v.version !== 1 || !(RECEIPT_CODES as readonly string[]).includes(v.statusCode)) {
    throw new Error('not a Liên Thông receipt');
  }
  return v;
}

export const RECEIPT_STATUS_VI: Record<'01' | '03', string> = { '01': 'đã đến (01)', '03': 'đã vào sổ (03)' };
