import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DocumentMetadata } from '../../contracts';
import { projectRoot } from '../config/project-root';
import { edxmlDocumentId, edxmlTimestampOf, emitEdxmlStatus, fromDocumentMetadata, emitEdxmlDocument } from '../edxml';

export type PushFormat = 'edxml' | 'json';

export interface TestBody {
  body: string;
  contentType: string;
}

const FROM = { organId: 'SANDBOX.CONFORMANCE.A', organName: '[THỬ NGHIỆM] Bộ kiểm tra điểm nhận Liên Thông' };
const TO = { organId: 'SANDBOX.CONFORMANCE.B', organName: '[THỬ NGHIỆM] Hệ thống của cơ quan nhận' };
const ISSUED_ON = '2026-11-28';

function samplePdf(): Buffer {
  return fs.readFileSync(path.join(projectRoot(), 'docs', 'samples', 'cong-van-mau.pdf'));
}

/**
 * A document delivery as Liên Thông pushes it: the edXML envelope (QCVN 102:2016) with the sample
 * PDF attached, or the JSON form. `padTo` grows it to about that many bytes with a second
 * attachment (the 20 MB check), so the receiver sees a real, well-formed envelope of that size.
 */
export function documentBody(format: PushFormat, deliveryId: string, number: string, padTo = 0): TestBody {
  const pdf = samplePdf();
  const extra = padTo > 0 ? Buffer.alloc(Math.max(0, Math.floor(((padTo - pdf.length * 4 / 3) * 3) / 4) - 4096), 0x20) : undefined;
  const metadata = DocumentMetadata.parse({
    documentType: 'CV',
    number,
    notation: 'KT-LT',
    issuedOn: ISSUED_ON,
    place: 'Đắk Lắk',
    subject: 'Kiểm tra điểm nhận trước khi chuyển sang nhận qua đẩy (push)',
    signer: { authority: 'TL.', position: 'CHÁNH VĂN PHÒNG', fullName: 'Nguyễn Văn Mẫu' },
    recipients: [TO.organId],
  });
  if (format === 'json') {
    const files = [{ role: 'signed', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }];
    if (extra) files.push({ role: 'attachment-1', contentType: 'text/plain', contentBase64: extra.toString('base64') });
    const document = { id: randomUUID(), sender: FROM.organId, documentType: 'CV', number, notation: 'KT-LT', issuedOn: ISSUED_ON, subject: metadata.subject, urgency: metadata.urgency, dueOn: null };
    return { body: JSON.stringify({ deliveryId, document, files }), contentType: 'application/json' };
  }
  const attachments = [{ contentId: 'signed', name: `${number}-KT-LT.pdf`, contentType: 'application/pdf', bytes: pdf }];
  if (extra) attachments.push({ contentId: 'attachment-1', name: 'phu-luc.txt', contentType: 'text/plain', bytes: extra });
  const envelope = fromDocumentMetadata(metadata, {
    from: FROM,
    to: [TO],
    documentId: edxmlDocumentId(FROM.organId, ISSUED_ON, number, 'KT-LT'),
    attachments,
    business: { businessDocType: 0, paper: 0 },
  });
  return { body: emitEdxmlDocument(envelope), contentType: 'application/xml' };
}

/** A status message (01: arrived) about a document the receiver's agency sent, as status webhooks carry it. */
export function statusBody(format: PushFormat, deliveryId: string, number: string): TestBody {
  const at = new Date();
  if (format === 'json') {
    const [dispatchId] = deliveryId.split(':');
    return {
      body: JSON.stringify({ deliveryId, documentId: randomUUID(), dispatchId, recipient: FROM.organId, code: '01', note: null, at: at.toISOString() }),
      contentType: 'application/json',
    };
  }
  const xml = emitEdxmlStatus({
    from: FROM,
    responseFor: { organId: TO.organId, code: `${number}/KT-LT`, promulgationDate: ISSUED_ON, documentId: edxmlDocumentId(TO.organId, ISSUED_ON, number, 'KT-LT') },
    statusCode: '01',
    description: 'Kiểm tra: văn bản đã đến',
    timestamp: edxmlTimestampOf(at),
  });
  return { body: xml, contentType: 'application/xml' };
}
