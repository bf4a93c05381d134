import { expect } from 'chai';
import { DOCUMENT_TYPES } from '../../../contracts/document-types';
import { DocumentMetadata } from '../../../contracts/http';
import { documentTypeFromName, fromDocumentMetadata, steeringFromEdxml, steeringToEdxml, toDocumentMetadata } from '../../../services/edxml/edxml-mapping';
import { EdxmlError } from '../../../services/edxml/edxml-types';
import { formatEdxmlDate, formatEdxmlTimestamp, parseEdxmlDate, parseEdxmlTimestamp } from '../../../services/edxml/edxml-values';
import { edxmlDocumentId, emitEdxmlDocument } from '../../../services/edxml/emit-edxml';
import { parseEdxml } from '../../../services/edxml/parse-edxml';
import { documentOf, expectEdxmlError, parseFixture } from './edxml-test-support';

describe('when edXML values are mapped to and from our contract', () => {
  it('when a TypeName is looked up, then case and diacritics do not matter and unknown names are công văn', () => {
    expect(documentTypeFromName('Quyết định')).to.equal('QĐ');
    expect(documentTypeFromName('QUYẾT ĐỊNH')).to.equal('QĐ');
    expect(documentTypeFromName('quyet  dinh')).to.equal('QĐ');
    expect(documentTypeFromName('Quy định')).to.equal('QyĐ');
    expect(documentTypeFromName('Tờ trình')).to.equal('TTr');
    expect(documentTypeFromName('thong bao')).to.equal('TB');
    expect(documentTypeFromName('Đề án')).to.equal('ĐA');
    expect(documentTypeFromName('Dự án')).to.equal('DA');
    expect(documentTypeFromName('Công văn(Nếu là văn bản hành chính)')).to.equal('CV');
    expect(documentTypeFromName(undefined)).to.equal('CV');
  });

  it('when every contract type name is folded, then no two collide (the lookup is unambiguous)', () => {
    for (const [code, name] of Object.entries(DOCUMENT_TYPES)) expect(documentTypeFromName(name), name).to.equal(code);
  });

  it('when SteeringType is read, then 0/1 are none, 2 steering, 3 report; we write 1–3', () => {
    expect(['0', '1', '2', '3', '', undefined].map(steeringFromEdxml)).to.deep.equal(['none', 'none', 'steering', 'report', undefined, undefined]);
    expect((['none', 'steering', 'report'] as const).map(steeringToEdxml)).to.deep.equal(['1', '2', '3']);
  });

  it('when dates come in any of the accepted spellings, then they normalise to YYYY-MM-DD and go out as yyyy/MM/dd', () => {
    expect(['2024/03/05', '05/03/2024', '2024-03-05', '5/3/2024', '2024/03/05 00:00:00'].map((d) => parseEdxmlDate(d, 'd'))).to.deep.equal(Array(5).fill('2024-03-05'));
    expect(formatEdxmlDate('2024-03-05')).to.equal('2024/03/05');
    for (const bad of ['2014/02/30', '30/02/2014', '2024/13/01', 'ngày 5 tháng 3', '']) {
      expect(() => parseEdxmlDate(bad, 'PromulgationDate'), bad).to.throw(EdxmlError, /PromulgationDate/);
    }
  });

  it('when timestamps carry no zone, then they are Vietnam time; with a zone, they are converted', () => {
    expect(parseEdxmlTimestamp('2015/09/20 11:08:36', 't')).to.equal('2015-09-20T11:08:36+07:00');
    expect(parseEdxmlTimestamp('2015-09-20T04:08:36Z', 't')).to.equal('2015-09-20T11:08:36+07:00');
    expect(parseEdxmlTimestamp('2015-09-20T23:08:36-05:00', 't')).to.equal('2015-09-21T11:08:36+07:00');
    expect(formatEdxmlTimestamp('2015-09-20T04:08:36.789Z')).to.equal('2015/09/20 11:08:36');
    expect(() => parseEdxmlTimestamp('2015/09/20 25:00:00', 'Timestamp')).to.throw(EdxmlError);
  });

  it('when a DocumentId is built, then it has the sample form organ,yyyy/MM/dd,số/ký hiệu', () => {
    expect(edxmlDocumentId('000.00.00.G22', '2015-09-30', '7816', 'VPCP-TTĐT')).to.equal('000.00.00.G22,2015/09/30,7816/VPCP-TTĐT');
  });

  it('when a parsed document becomes metadata, then it satisfies the contract with number, dates and urgency mapped', () => {
    const meta = toDocumentMetadata(documentOf(parseFixture('new_doc_two_recipients_pdf.edxml')), ['000.00.00.H15', '000.00.13.H15']);
    expect(DocumentMetadata.safeParse(meta).success).to.equal(true);
    expect(meta).to.deep.equal({
      documentType: 'CV', number: '015', notation: 'STC-NS', issuedOn: '2024-03-05', place: 'Đắk Lắk',
      subject: 'V/v hướng dẫn xây dựng dự toán ngân sách nhà nước năm 2025',
      summary: 'Hướng dẫn lập dự toán thu, chi ngân sách & kế hoạch tài chính 03 năm (2025–2027); số liệu <tạm tính> gửi trước ngày 20/3.',
      signer: { authority: 'KT. GIÁM ĐỐC', position: 'PHÓ GIÁM ĐỐC', fullName: 'Nguyễn Thị Hồng Nhung' },
      urgency: 'urgent', dueOn: '2024-03-20', classification: 'normal',
      recipients: ['000.00.00.H15', '000.00.13.H15'],
      recipientsText: ['Như trên;', 'Giám đốc Sở (b/c);', 'Lưu: VT, NS.'],
      steeringType: 'none',
    });
  });

  it('when priorities 0–4 are mapped, then 3 and 4 are both flash', () => {
    const doc = documentOf(parseFixture('new_doc_two_recipients_pdf.edxml'));
    const urgencies = [0, 1, 2, 3, 4].map((p) => toDocumentMetadata({ ...doc, otherInfo: { priority: p as 0 } }, ['000.00.00.H15']).urgency);
    expect(urgencies).to.deep.equal(['normal', 'urgent', 'very_urgent', 'flash', 'flash']);
  });

  it('when the edXML lacks what our contract needs, then EdxmlError names the edXML element', () => {
    expectEdxmlError(() => toDocumentMetadata(documentOf(parseFixture('empty_elements.edxml')), ['000.00.00.H14']), 'EDXML_INVALID_VALUE', /^(SignerInfo\/Position|PromulgationInfo\/Place)$/);
    const doc = documentOf(parseFixture('new_doc_two_recipients_pdf.edxml'));
    expectEdxmlError(() => toDocumentMetadata({ ...doc, code: { number: 'XII', notation: 'X' } }, ['000.00.00.H15']), 'EDXML_INVALID_VALUE', 'Code/CodeNumber');
    expectEdxmlError(() => toDocumentMetadata(doc, []), 'EDXML_INVALID_VALUE', 'To');
  });

  it('when metadata is turned into edXML and back, then the same metadata returns', () => {
    const doc = documentOf(parseFixture('new_doc_two_recipients_pdf.edxml'));
    const meta = toDocumentMetadata(doc, ['000.00.00.H15', '000.00.13.H15']);
    const built = fromDocumentMetadata(meta, { from: doc.from, to: doc.to, attachments: doc.attachments, sentAt: new Date('2024-03-05T07:32:10Z') });
    expect(built.documentType.typeName).to.equal('Công văn');
    expect(built.traceHeaders).to.deep.equal([{ organId: '000.00.12.H15', timestamp: '2024-03-05T14:32:10+07:00' }]);
    const back = documentOf(parseEdxml(emitEdxmlDocument(built)));
    expect(toDocumentMetadata(back, meta.recipients)).to.deep.equal(meta);
    expect(back.documentId).to.equal('000.00.12.H15,2024/03/05,015/STC-NS');
    expect(back.attachments[0]!.bytes.equals(doc.attachments[0]!.bytes)).to.equal(true);
  });

  it('when metadata has no number yet and none is given, then EDXML_MISSING_ELEMENT at Code/CodeNumber', () => {
    const doc = documentOf(parseFixture('new_doc_two_recipients_pdf.edxml'));
    const { number: _drop, ...meta } = toDocumentMetadata(doc, ['000.00.00.H15']);
    expectEdxmlError(() => fromDocumentMetadata(meta as DocumentMetadata, { from: doc.from, to: doc.to }), 'EDXML_MISSING_ELEMENT', 'Code/CodeNumber');
    expect(fromDocumentMetadata(meta as DocumentMetadata, { from: doc.from, to: doc.to, number: '016' }).code.number).to.equal('016');
  });
});
