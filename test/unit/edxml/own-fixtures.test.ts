import { expect } from 'chai';
import { EDXML_STATUS_CODES } from '../../../services/edxml/edxml-types';
import { parseEdxml } from '../../../services/edxml/parse-edxml';
import { documentOf, expectEdxmlError, fixture, fixtureText, parseFixture, statusOf } from './edxml-test-support';

describe('when our own edXML fixtures are parsed', () => {
  it('when a new document goes to two recipients with a PDF, then parties, number, dates and the PDF bytes come out', () => {
    const doc = documentOf(parseFixture('new_doc_two_recipients_pdf.edxml'));
    expect(doc.from).to.include({ organId: '000.00.12.H15', organName: 'Sở Tài chính tỉnh Đắk Lắk', telephone: '0262 3852 426' });
    expect(doc.to.map((t) => t.organId)).to.deep.equal(['000.00.00.H15', '000.00.13.H15']);
    expect(doc.code).to.deep.equal({ number: '015', notation: 'STC-NS' }); // the leading zero is kept
    expect(doc.promulgation).to.deep.equal({ place: 'Đắk Lắk', date: '2024-03-05' });
    expect(doc.dueDate).to.equal('2024-03-20');
    expect(doc.content).to.equal('Hướng dẫn lập dự toán thu, chi ngân sách & kế hoạch tài chính 03 năm (2025–2027); số liệu <tạm tính> gửi trước ngày 20/3.');
    expect(doc.signer).to.deep.equal({ competence: 'KT. GIÁM ĐỐC', position: 'PHÓ GIÁM ĐỐC', fullName: 'Nguyễn Thị Hồng Nhung' });
    expect(doc.otherInfo).to.deep.include({ priority: 1, promulgationAmount: 4, pageAmount: 3, direction: false });
    expect(doc.otherInfo.appendixes).to.have.length(2);
    expect(doc.toPlaces).to.deep.equal(['Như trên;', 'Giám đốc Sở (b/c);', 'Lưu: VT, NS.']);
    expect(doc.business).to.deep.include({ businessDocType: 0, paper: 0, documentId: '000.00.12.H15,2024/03/05,015/STC-NS' });
    expect(doc.traceHeaders).to.deep.equal([{ organId: '000.00.12.H15', timestamp: '2024-03-05T14:32:10+07:00' }]);
    expect(doc.attachments).to.have.length(1);
    const pdf = doc.attachments[0]!;
    expect(pdf).to.deep.include({ contentId: 'cid:stc-015-2024', name: '015_STC-NS_signed.pdf', contentType: 'application/pdf' });
    expect(pdf.bytes.subarray(0, 8).toString('latin1')).to.equal('%PDF-1.4');
    expect(pdf.bytes.toString('latin1')).to.contain('015/STC-NS');
  });

  it('when the attachment is a zip, then its members come out as files with sniffed types and the archive name', () => {
    const doc = documentOf(parseFixture('new_doc_zipped_attachment.edxml'));
    expect(doc.attachments.map((a) => [a.name, a.contentType, a.fromArchive])).to.deep.equal([
      ['Kế hoạch 12-KH-UBND.pdf', 'application/pdf', 'KH-12-UBND.zip'],
      ['Phụ lục I - Danh mục công trình.txt', 'text/plain', 'KH-12-UBND.zip'],
    ]);
    expect(doc.attachments[1]!.bytes.toString('utf8')).to.match(/^STT;Công trình;Kinh phí/);
    expect(doc.otherInfo.priority).to.equal(2);
    expect(doc.business.paper).to.equal(1);
  });

  it('when a revocation (type 1) is parsed, then ResponseFor names the revoked document', () => {
    const doc = documentOf(parseFixture('revoke_with_responsefor.edxml'));
    expect(doc.business.businessDocType).to.equal(1);
    expect(doc.business.businessDocReason).to.equal('Thu hồi do sai số liệu tại Phụ lục II');
    expect(doc.responseFor).to.deep.equal([{ organId: '000.00.12.H15', code: '015/STC-NS', promulgationDate: '2024-03-05', documentId: '000.00.12.H15,2024/03/05,015/STC-NS' }]);
    expect(doc.attachments).to.deep.equal([]);
  });

  it('when an update (type 2) is parsed, then the receiver list of BussinessDocumentInfo is kept', () => {
    const doc = documentOf(parseFixture('update_with_documentinfo.edxml'));
    expect(doc.business.businessDocType).to.equal(2);
    expect(doc.business.documentInfo).to.deep.equal({
      documentInfo: '0', documentReceiver: '1',
      receivers: [{ organId: '000.00.13.H15', receiverType: '1' }, { organId: '000.00.31.H15', receiverType: '0' }],
    });
    expect(doc.responseFor[0]?.documentId).to.equal('000.00.12.H15,2024/03/05,015/STC-NS');
  });

  it('when a replacement (type 3) is parsed, then ReplacementInfoList and ResponseFor are kept', () => {
    const doc = documentOf(parseFixture('replace_with_replacementinfo.edxml'));
    expect(doc.business.businessDocType).to.equal(3);
    expect(doc.business.replacementInfo).to.deep.equal([{ documentId: '000.00.12.H15,2024/03/05,015/STC-NS', organIds: ['000.00.00.H15', '000.00.13.H15'] }]);
    expect(doc.responseFor).to.have.length(1);
  });

  for (const code of EDXML_STATUS_CODES) {
    it(`when status_${code}.edxml is parsed, then it is a status ${code} about 015/STC-NS with a Vietnam-time timestamp`, () => {
      const st = statusOf(parseFixture(`status_${code}.edxml`));
      expect(st.statusCode).to.equal(code);
      expect(st.from.organId).to.equal(code === '13' ? '000.00.12.H15' : '000.00.00.H15');
      expect(st.responseFor).to.deep.equal({ organId: code === '13' ? '000.00.00.H15' : '000.00.12.H15', code: '015/STC-NS', promulgationDate: '2024-03-05', documentId: '000.00.12.H15,2024/03/05,015/STC-NS' });
      expect(st.staffInfo).to.deep.equal({ department: 'Văn phòng', staff: 'Hoàng Thị Lan', mobile: '0912345678' });
      // The three timestamp spellings (yyyy/MM/dd, dd/MM/yyyy, ISO with Z) land on the same clock.
      expect(st.timestamp).to.be.oneOf(['2024-03-05T15:01:02+07:00', '2024-03-05T15:10:00+07:00', '2024-03-05T15:20:00+07:00']);
      expect(st.description).to.be.a('string').and.not.equal('');
    });
  }

  it('when every element is unprefixed in the default namespace and spelled "Business", then it parses the same', () => {
    const text = fixtureText('unprefixed_default_namespace.edxml');
    expect(text).not.to.contain('edXML:');
    const doc = documentOf(parseEdxml(text));
    expect(doc.to.map((t) => t.organId)).to.deep.equal(['000.00.04.H41', '000.00.05.H41']);
    expect(doc.code).to.deep.equal({ number: '0342', notation: 'QĐ-UBND' });
    expect(doc.business).to.deep.equal({ businessDocType: 0, businessDocReason: 'Văn bản điện tử mới', paper: 0 });
    expect(doc.steeringType).to.equal('0');
  });

  it('when every sibling list is shuffled under another prefix, then nothing is lost', () => {
    const doc = documentOf(parseFixture('reordered_elements.edxml'));
    expect(doc.from.organId).to.equal('000.00.04.H41');
    expect(doc.code).to.deep.equal({ number: '05', notation: 'TTr-SNV' });
    expect(doc.promulgation).to.deep.equal({ place: 'Nghệ An', date: '2024-05-10' });
    expect(doc.otherInfo).to.deep.equal({ priority: 1, pageAmount: 5 });
    expect(doc.attachments).to.have.length(1);
    expect(doc.attachments[0]).to.deep.include({ name: 'Tờ trình 05-TTr-SNV.txt', contentType: 'text/plain', contentId: 'cid:ttr-05' });
    expect(doc.attachments[0]!.bytes.toString('utf8')).to.match(/^Kính gửi: Ủy ban nhân dân tỉnh Nghệ An/);
  });

  it('when dates are written dd/MM/yyyy (and one timestamp yyyy-MM-dd), then they come out as YYYY-MM-DD', () => {
    const doc = documentOf(parseFixture('ddmmyyyy_dates.edxml'));
    expect(doc.promulgation.date).to.equal('2020-10-30');
    expect(doc.dueDate).to.equal('2020-11-05');
    expect(doc.responseFor[0]).to.deep.equal({ organId: '000.00.01.A53', code: '125-CV/VPTU', promulgationDate: '2020-10-01', documentId: null });
    expect(doc.traceHeaders.map((t) => t.timestamp)).to.deep.equal(['2020-10-30T16:20:05+07:00', '2020-10-30T16:21:40+07:00']);
  });

  it('when the file has CRLF line endings, then multi-line text comes out with plain LF', () => {
    expect(fixture('crlf_line_endings.edxml').includes('\r\n')).to.equal(true);
    const doc = documentOf(parseFixture('crlf_line_endings.edxml'));
    expect(doc.content).to.equal('Đề nghị các địa phương:\n1. Gửi, nhận văn bản điện tử qua Trục liên thông;\n2. Báo cáo kết quả trước ngày 20/9.');
    expect(doc.otherInfo.priority).to.equal(4);
    expect(doc.steeringType).to.equal('3');
  });

  it('when optional elements are empty, then they are absent and an empty To or ResponseFor block is ignored', () => {
    const doc = documentOf(parseFixture('empty_elements.edxml'));
    expect(doc.from).to.deep.equal({ organId: '000.00.07.H14', organName: 'Sở Y tế tỉnh Cao Bằng' });
    expect(doc.to).to.deep.equal([{ organId: '000.00.00.H14', organName: 'UBND tỉnh Cao Bằng' }]);
    expect(doc.documentId).to.equal(null);
    expect(doc.promulgation.place).to.equal('');
    expect(doc.documentType).to.deep.equal({ typeName: 'thong bao' });
    expect(doc.signer).to.deep.equal({});
    expect(doc).not.to.have.property('content');
    expect(doc).not.to.have.property('dueDate');
    expect(doc).not.to.have.property('steeringType');
    expect(doc.otherInfo).to.deep.equal({ priority: 0, appendixes: [] });
    expect(doc.responseFor).to.deep.equal([]);
    expect(doc.toPlaces).to.deep.equal([]);
    expect(doc.business).to.deep.equal({ businessDocType: 0, paper: 0 });
    expect(doc.attachments).to.deep.equal([]);
  });

  it('when Subject is blank, then EDXML_MISSING_ELEMENT names MessageHeader/Subject', () => {
    expectEdxmlError(() => parseFixture('bad_missing_subject.edxml'), 'EDXML_MISSING_ELEMENT', 'MessageHeader/Subject');
  });

  it('when tags are mismatched, then EDXML_MALFORMED gives the line', () => {
    expectEdxmlError(() => parseFixture('bad_malformed.edxml'), 'EDXML_MALFORMED', 'line 11');
  });
});

describe('when a fixture is altered into something invalid', () => {
  const base = fixtureText('new_doc_two_recipients_pdf.edxml');
  const cases: [string, string, string, Parameters<typeof expectEdxmlError>[1], string][] = [
    ['an impossible date 2024/02/30', '<edXML:PromulgationDate>2024/03/05<', '<edXML:PromulgationDate>2024/02/30<', 'EDXML_INVALID_VALUE', 'PromulgationInfo/PromulgationDate'],
    ['priority 7', '<edXML:Priority>1<', '<edXML:Priority>7<', 'EDXML_INVALID_VALUE', 'OtherInfo/Priority'],
    ['a lowercase agency code', '<edXML:OrganId>000.00.13.H15<', '<edXML:OrganId>000.00.13.h15<', 'EDXML_INVALID_VALUE', 'MessageHeader/To[2]/OrganId'],
    ['BussinessDocType 5', '<edXML:BussinessDocType>0<', '<edXML:BussinessDocType>5<', 'EDXML_INVALID_VALUE', 'Bussiness/BussinessDocType'],
    ['a CodeNumber left out', '<edXML:CodeNumber>015</edXML:CodeNumber>', '', 'EDXML_MISSING_ELEMENT', 'Code/CodeNumber'],
    ['attachment content that is not base64', '<ContentTransferEncoded>', '<ContentTransferEncoded>%% tệp đính kèm %%', 'EDXML_INVALID_VALUE', 'Attachment/ContentTransferEncoded'],
    ['a root in another namespace', '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">', '<edXML xmlns="urn:other">', 'EDXML_MALFORMED', 'edXML'],
  ];
  for (const [what, from, to, code, element] of cases) {
    it(`when it carries ${what}, then ${code} names ${element}`, () => {
      expect(base).to.contain(from);
      expectEdxmlError(() => parseEdxml(base.replace(from, to)), code, element);
    });
  }

  it('when a status carries code 07, then EDXML_INVALID_VALUE names StatusCode', () => {
    expectEdxmlError(() => parseEdxml(fixtureText('status_01.edxml').replace('>01<', '>07<')), 'EDXML_INVALID_VALUE', 'StatusCode');
  });
});
