/**
 * Hand-built edXML envelopes (QCVN 102:2016) as another vendor's system writes them: a prefixed
 * envelope inside <edXML>, attachments beside it, every part that tests vary given as a parameter.
 */

export const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

export interface Parts {
  from: string;
  to: string[];
  number?: string;
  promulgationDate?: string;
  documentId?: string;
  dueDate?: string;
  traceTimestamp?: string;
  responseFor?: string;
  business?: string;
  attachments?: string;
  manifestAttrs?: string;
}

export function envelope(p: Parts, pdf: Buffer): string {
  const number = p.number ?? String(100 + Math.floor(Math.random() * 9000));
  return `<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="${NS}" xmlns:edXML="${NS}">
 <edXML:edXMLEnvelope>
  <edXML:edXMLHeader>
   <edXML:MessageHeader>
    <edXML:From><edXML:OrganId>${p.from}</edXML:OrganId><edXML:OrganName>Cơ quan gửi</edXML:OrganName></edXML:From>
    ${p.to.map((t) => `<edXML:To><edXML:OrganId>${t}</edXML:OrganId><edXML:OrganName>Cơ quan nhận</edXML:OrganName></edXML:To>`).join('')}
    ${p.documentId !== undefined ? `<edXML:DocumentId>${p.documentId}</edXML:DocumentId>` : ''}
    <edXML:Code><edXML:CodeNumber>${number}</edXML:CodeNumber><edXML:CodeNotation>CV-THU</edXML:CodeNotation></edXML:Code>
    <edXML:PromulgationInfo><edXML:Place>Đắk Lắk</edXML:Place><edXML:PromulgationDate>${p.promulgationDate ?? '2026/11/02'}</edXML:PromulgationDate></edXML:PromulgationInfo>
    <edXML:DocumentType><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
    <edXML:Subject>Thử độ bền của bộ đọc edXML</edXML:Subject>
    <edXML:SignerInfo><edXML:Position>CHÁNH VĂN PHÒNG</edXML:Position><edXML:FullName>Lê Thị Thử</edXML:FullName></edXML:SignerInfo>
    ${p.dueDate ? `<edXML:DueDate>${p.dueDate}</edXML:DueDate>` : ''}
    ${p.responseFor ?? ''}
   </edXML:MessageHeader>
   <edXML:TraceHeaderList>
    <edXML:TraceHeader><edXML:OrganId>${p.from}</edXML:OrganId><edXML:Timestamp>${p.traceTimestamp ?? '2026/11/02 08:30:00'}</edXML:Timestamp></edXML:TraceHeader>
    ${p.business ?? '<edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType><edXML:Paper>0</edXML:Paper></edXML:Bussiness>'}
   </edXML:TraceHeaderList>
  </edXML:edXMLHeader>
  <edXML:edXMLBody><edXML:edXMLManifest version="1.0"><edXML:Reference ${p.manifestAttrs ?? ''}><edXML:ContentId>cid:1</edXML:ContentId><edXML:AttachmentName>cong-van.pdf</edXML:AttachmentName></edXML:Reference></edXML:edXMLManifest></edXML:edXMLBody>
 </edXML:edXMLEnvelope>
 <AttachmentEncoded>
  ${p.attachments ?? attachment('cid:1', 'cong-van.pdf', 'application/pdf', pdf)}
 </AttachmentEncoded>
</edXML>`;
}

export function attachment(cid: string, name: string, type: string, bytes: Buffer, attrs = ''): string {
  return `<Attachment ${attrs}><ContentId>${cid}</ContentId><AttachmentName>${name}</AttachmentName><ContentType>${type}</ContentType><ContentTransferEncoded>${bytes.toString('base64')}</ContentTransferEncoded></Attachment>`;
}

export function responseFor(organId: string, code: string, date: string | null, documentId: string | null): string {
  return `<edXML:ResponseFor><edXML:OrganId>${organId}</edXML:OrganId><edXML:Code>${code}</edXML:Code>${date ? `<edXML:PromulgationDate>${date}</edXML:PromulgationDate>` : ''}${documentId ? `<edXML:DocumentId>${documentId}</edXML:DocumentId>` : ''}</edXML:ResponseFor>`;
}

/** A status message (StatusCode) from `from` about the document `ref` names (responseFor(...)). */
export function statusEnvelope(from: string, ref: string, code: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="${NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId>${from}</OrganId><OrganName>Cơ quan</OrganName></From>${ref.replace(/edXML:/g, '')}<StatusCode>${code}</StatusCode><Timestamp>2026/11/02 08:00:00</Timestamp></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>`;
}
