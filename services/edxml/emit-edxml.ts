import {
  EDXML_NS, EdxmlError, type EdxmlBusiness, type EdxmlDocument, type EdxmlOrgan, type EdxmlResponseFor, type EdxmlStaffInfo,
  type EdxmlStatus,
} from './edxml-types';
import { formatEdxmlDate, formatEdxmlTimestamp } from './edxml-values';

/**
 * Writes edXML the way the VPCP SDK samples are laid out: a default-namespace <edXML> root holding
 * <edXML:edXMLEnvelope> (header + manifest) followed by an unprefixed <AttachmentEncoded> block.
 * The order inside MessageHeader is fixed (standards §1) so output is stable and diffable.
 *
 * SteeringType: written exactly as held in EdxmlDocument.steeringType. Documents built from our
 * metadata carry the 1–3 coding (1 not steering, 2 steering, 3 report on steering), which matches
 * the 2023 annotated template and the VPCP samples sending 1 for an ordinary công văn; the parser
 * accepts 0–3 so senders using 0–2 still get through (see edxml-mapping.ts).
 *
 * A null documentId is written as edxmlDocumentId(sender, date, number, notation), so every
 * envelope we send can be answered (ResponseFor/DocumentId) by systems that key on it.
 * No XML signature is written: signing the envelope is not part of this library.
 */
export function emitEdxmlDocument(doc: EdxmlDocument): string {
  const w = new XmlWriter();
  w.begin();
  w.open('MessageHeader');
  organ(w, 'From', doc.from);
  for (const to of doc.to) organ(w, 'To', to);
  w.leaf('DocumentId', doc.documentId ?? edxmlDocumentId(doc.from.organId, doc.promulgation.date, doc.code.number, doc.code.notation));
  w.open('Code').leaf('CodeNumber', doc.code.number).leaf('CodeNotation', doc.code.notation).close();
  w.open('PromulgationInfo').leaf('Place', doc.promulgation.place).leaf('PromulgationDate', formatEdxmlDate(doc.promulgation.date, 'PromulgationDate')).close();
  const t = doc.documentType;
  w.open('DocumentType').leaf('Type', t.type).leaf('TypeDetail', t.typeDetail).leaf('TypeName', t.typeName).close();
  w.leaf('Subject', doc.subject).leaf('Content', doc.content);
  const s = doc.signer;
  w.open('SignerInfo').leaf('Competence', s.competence).leaf('Position', s.position).leaf('FullName', s.fullName).close();
  if (doc.dueDate) w.leaf('DueDate', formatEdxmlDate(doc.dueDate, 'DueDate'));
  const o = doc.otherInfo;
  w.open('OtherInfo').leaf('Priority', o.priority).leaf('SphereOfPromulgation', o.sphereOfPromulgation).leaf('TyperNotation', o.typerNotation);
  w.leaf('PromulgationAmount', o.promulgationAmount).leaf('PageAmount', o.pageAmount).leaf('Direction', o.direction);
  if (o.appendixes) {
    w.open('Appendixes');
    for (const a of o.appendixes) w.leaf('Appendix', a);
    w.close();
  }
  w.close();
  for (const r of doc.responseFor) responseFor(w, r);
  w.leaf('SteeringType', doc.steeringType);
  if (doc.toPlaces.length) {
    w.open('ToPlaces');
    for (const p of doc.toPlaces) w.leaf('Place', p);
    w.close();
  }
  w.close(); // MessageHeader
  w.open('TraceHeaderList');
  for (const th of doc.traceHeaders) w.open('TraceHeader').leaf('OrganId', th.organId).leaf('Timestamp', formatEdxmlTimestamp(th.timestamp)).close();
  business(w, doc.business);
  w.close();
  w.close(); // edXMLHeader
  w.open('edXMLBody').open('edXMLManifest', { version: '1.0' });
  for (const a of doc.attachments) {
    w.open('Reference').leaf('ContentId', a.contentId).leaf('ContentType', a.contentType).leaf('Description', a.description).leaf('AttachmentName', a.name).close();
  }
  w.close().close();
  w.end();
  if (doc.attachments.length) {
    w.open('AttachmentEncoded', undefined, '');
    for (const a of doc.attachments) {
      w.open('Attachment', undefined, '').leaf('ContentId', a.contentId, '').leaf('AttachmentName', a.name, '').leaf('Description', a.description, '');
      w.leaf('ContentType', a.contentType, '').leaf('ContentTransferEncoded', a.bytes.toString('base64'), '').close();
    }
    w.close();
  }
  return w.finish();
}

/** A status message: MessageHeader only (From, ResponseFor, StaffInfo, StatusCode, Description, Timestamp). */
export function emitEdxmlStatus(st: EdxmlStatus): string {
  const w = new XmlWriter();
  w.begin();
  w.open('MessageHeader');
  organ(w, 'From', st.from);
  responseFor(w, st.responseFor);
  staff(w, st.staffInfo);
  w.leaf('StatusCode', st.statusCode).leaf('Description', st.description).leaf('Timestamp', formatEdxmlTimestamp(st.timestamp));
  w.close().close();
  w.end();
  return w.finish();
}

/** '<OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>', the form the samples use, e.g. '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'. */
export function edxmlDocumentId(organId: string, date: string, number: string, notation: string): string {
  return `${organId},${formatEdxmlDate(date, 'DocumentId')},${number}/${notation}`;
}

function organ(w: XmlWriter, tag: string, o: EdxmlOrgan): void {
  w.open(tag).leaf('OrganId', o.organId).leaf('OrganizationInCharge', o.organizationInCharge).leaf('OrganName', o.organName);
  w.leaf('OrganAdd', o.organAdd).leaf('Email', o.email).leaf('Telephone', o.telephone).leaf('Fax', o.fax).leaf('Website', o.website).close();
}

function responseFor(w: XmlWriter, r: EdxmlResponseFor): void {
  w.open('ResponseFor').leaf('OrganId', r.organId).leaf('Code', r.code);
  if (r.promulgationDate) w.leaf('PromulgationDate', formatEdxmlDate(r.promulgationDate, 'ResponseFor/PromulgationDate'));
  w.leaf('DocumentId', r.documentId ?? undefined).close();
}

function staff(w: XmlWriter, s: EdxmlStaffInfo | undefined): void {
  if (s) w.open('StaffInfo').leaf('Department', s.department).leaf('Staff', s.staff).leaf('Email', s.email).leaf('Mobile', s.mobile).close();
}

function business(w: XmlWriter, b: EdxmlBusiness): void {
  w.open('Bussiness').leaf('DocumentId', b.documentId).leaf('BussinessDocType', b.businessDocType).leaf('BussinessDocReason', b.businessDocReason).leaf('Paper', b.paper);
  if (b.documentInfo) {
    w.open('BussinessDocumentInfo').leaf('DocumentInfo', b.documentInfo.documentInfo).leaf('DocumentReceiver', b.documentInfo.documentReceiver).open('ReceiverList');
    for (const r of b.documentInfo.receivers) w.open('Receiver').leaf('OrganId', r.organId).leaf('ReceiverType', r.receiverType).close();
    w.close().close();
  }
  if (b.replacementInfo) {
    w.open('ReplacementInfoList');
    for (const r of b.replacementInfo) {
      w.open('ReplacementInfo').leaf('DocumentId', r.documentId).open('OrganIdList');
      for (const id of r.organIds) w.leaf('OrganId', id);
      w.close().close();
    }
    w.close();
  }
  staff(w, b.staffInfo);
  w.close();
}

// XML 1.0 cannot carry these at all, not even as character references.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escapeXml(value: string, element: string): string {
  if (NOT_XML.test(value)) throw new EdxmlError('EDXML_INVALID_VALUE', 'text contains a character XML 1.0 cannot carry', element);
  // \r is written as a reference because parsers fold literal CR/CRLF into LF.
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\r/g, '&#13;');
}

/** Indented writer; elements get the edXML: prefix unless told otherwise. */
class XmlWriter {
  private readonly lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  private readonly stack: string[] = [];

  begin(): void {
    this.open('edXML', { xmlns: EDXML_NS }, '');
    this.open('edXMLEnvelope', { 'xmlns:edXML': EDXML_NS });
    this.open('edXMLHeader');
  }
  end(): void {
    this.close(); // edXMLEnvelope
  }
  finish(): string {
    while (this.stack.length) this.close();
    return this.lines.join('\n') + '\n';
  }
  open(tag: string, attrs?: Record<string, string>, prefix = 'edXML:'): this {
    const a = Object.entries(attrs ?? {}).map(([k, v]) => ` ${k}="${escapeXml(v, tag)}"`).join('');
    this.lines.push(`${this.indent()}<${prefix}${tag}${a}>`);
    this.stack.push(prefix + tag);
    return this;
  }
  close(): this {
    const tag = this.stack.pop();
    this.lines.push(`${this.indent()}</${tag}>`);
    return this;
  }
  /** Skips undefined so optional fields simply do not appear. */
  leaf(tag: string, value: string | number | boolean | undefined, prefix = 'edXML:'): this {
    if (value === undefined) return this;
    this.lines.push(`${this.indent()}<${prefix}${tag}>${escapeXml(String(value), tag)}</${prefix}${tag}>`);
    return this;
  }
  private indent(): string {
    return '  '.repeat(this.stack.length);
  }
}
