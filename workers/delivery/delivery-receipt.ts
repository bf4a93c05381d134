import { documentIdOf } from '../../services/domain/edxml/document-id-key';
import { parseEdxml } from '../../services/edxml';
import type { PushResponse } from './push-transport';

/** What a receipt must name: the delivery, and (edXML) the document it answers for. */
export interface ExpectedReceipt {
  deliveryId: string;
  recipientCode: string;
  sender: string;
  issuedOn: string;
  number: string;
  notation: string;
  /** The document's idempotency key: a document that arrived by edXML goes out under its sender's DocumentId (documentIdOf). */
  idempotencyKey?: string | null;
}

/**
 * A strict receipt (agency option `push_receipt`): the receiver's answer proves it stored this
 * delivery — JSON `{"deliveryId": "<dispatch id>"}`, or an edXML status 01 from the recipient
 * answering for this document. Returns null when it does, else why not (Vietnamese).
 */
export function receiptProblem(res: PushResponse, e: ExpectedReceipt): string | null {
  if (res.incomplete) return 'biên nhận của điểm nhận không đọc được trọn vẹn (quá 64 KiB hoặc trả chậm)';
  const text = res.body.toString('utf8').trim();
  if (!text) return 'điểm nhận trả lời 2xx nhưng không gửi biên nhận';
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return 'biên nhận JSON của điểm nhận không đọc được';
    }
    const id = (parsed as { deliveryId?: unknown }).deliveryId;
    return id === e.deliveryId ? null : `biên nhận không mang mã lần gửi ${e.deliveryId}`;
  }
  try {
    const msg = parseEdxml(text);
    if (msg.kind !== 'status') return 'biên nhận edXML không phải thông điệp trạng thái';
    const s = msg.status;
    if (s.statusCode !== '01') return `biên nhận edXML mang trạng thái ${s.statusCode}, không phải 01 (đã đến)`;
    if (s.from.organId !== e.recipientCode) return `biên nhận edXML từ ${s.from.organId}, không phải cơ quan nhận ${e.recipientCode}`;
    // The answer must name this very document: its DocumentId (the one our envelope carried), or,
    // when it carries none, sender, số/ký hiệu and promulgation date together — a number alone
    // recurs every year and across senders.
    const docId = documentIdOf({ senderCode: e.sender, issuedOn: e.issuedOn, number: e.number, notation: e.notation, idempotencyKey: e.idempotencyKey ?? null });
    const code = `${e.number}/${e.notation}`;
    const r = s.responseFor;
    const named = r.documentId?.trim();
    if (named) return named === docId ? null : `biên nhận edXML trả lời cho văn bản ${named.slice(0, 120)}, không phải văn bản ${docId}`;
    if (r.organId !== e.sender || r.code.trim() !== code || r.promulgationDate !== e.issuedOn) {
      return `biên nhận edXML không trả lời cho văn bản ${code} ngày ${e.issuedOn} của ${e.sender} (không có DocumentId; cơ quan gửi, số/ký hiệu và ngày ban hành phải khớp)`;
    }
    return null;
  } catch (err) {
    return `biên nhận của điểm nhận không đọc được (${(err as Error).message.slice(0, 120)})`;
  }
}
