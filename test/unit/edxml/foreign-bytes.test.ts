import { expect } from 'chai';
import { parseEdxml } from '../../../services/edxml/parse-edxml';
import { documentOf, expectEdxmlError, fixtureText } from './edxml-test-support';

// Envelopes as other vendors' systems write them: encodings other than UTF-8, a bare envelope, and
// markup-like text inside character data.

const BASE = fixtureText('new_doc_two_recipients_pdf.edxml');
const SUBJECT = /<edXML:Subject>[^<]*<\/edXML:Subject>/;
const baseSubject = documentOf(parseEdxml(BASE)).subject;

/** Every character outside ASCII written as a character reference: the same text in any ASCII-compatible encoding. */
function asciiOnly(xml: string): string {
  return [...xml].map((c) => (c.codePointAt(0)! > 0x7e ? `&#${c.codePointAt(0)};` : c)).join('');
}

function declared(xml: string, encoding: string): string {
  return xml.replace('<?xml version="1.0" encoding="UTF-8"?>', `<?xml version="1.0" encoding="${encoding}"?>`);
}

describe('when an envelope arrives in another encoding than UTF-8', () => {
  it('when it declares US-ASCII or ISO-8859-1 and its bytes are that, then it is read as they are', () => {
    for (const encoding of ['US-ASCII', 'ISO-8859-1', 'windows-1252']) {
      const doc = documentOf(parseEdxml(Buffer.from(declared(asciiOnly(BASE), encoding), 'latin1')));
      expect(doc.subject, encoding).to.equal(baseSubject);
    }
  });

  it('when it declares Windows-1258 (tones as combining marks), then the text is read and composed (NFC)', () => {
    // "Đắk Lắk" in Windows-1258: Đ, ă + combining acute, k, space, L, ă + combining acute, k.
    const head = declared(asciiOnly(BASE), 'windows-1258').split(SUBJECT);
    expect(head).to.have.length(2);
    const bytes = Buffer.concat([
      Buffer.from(`${head[0]}<edXML:Subject>V/v `, 'latin1'),
      Buffer.from([0xd0, 0xe3, 0xec, 0x6b, 0x20, 0x4c, 0xe3, 0xec, 0x6b]),
      Buffer.from(`</edXML:Subject>${head[1]}`, 'latin1'),
    ]);
    const subject = documentOf(parseEdxml(bytes)).subject;
    expect(subject).to.equal('V/v Đắk Lắk'.normalize('NFC'));
    expect(subject).to.equal(subject.normalize('NFC'));
  });

  it('when the same Windows-1258 bytes are declared UTF-8, then they are refused as not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from(BASE.split(SUBJECT)[0]!, 'utf8'), Buffer.from('<edXML:Subject>'), Buffer.from([0xd0, 0xe3, 0xec]), Buffer.from('</edXML:Subject>'), Buffer.from(BASE.split(SUBJECT)[1]!, 'utf8')]);
    expectEdxmlError(() => parseEdxml(bytes), 'EDXML_MALFORMED');
  });

  it('when it declares an encoding nobody defines, then 422 names the declaration', () => {
    expectEdxmlError(() => parseEdxml(Buffer.from(declared(asciiOnly(BASE), 'x-vni-2000'), 'latin1')), 'EDXML_INVALID_VALUE', 'xml declaration');
  });

  it('when it declares UTF-16 but its bytes have no byte-order mark, then it is refused as malformed', () => {
    expectEdxmlError(() => parseEdxml(Buffer.from(declared(asciiOnly(BASE), 'UTF-16'), 'latin1')), 'EDXML_MALFORMED', 'xml declaration');
  });

  it('when UTF-16 text carries a lone surrogate, then it is refused, never stored with a replacement character', () => {
    const xml = declared(BASE, 'UTF-16').replace(SUBJECT, '<edXML:Subject>V/v thử \ud800 nghiệm</edXML:Subject>');
    for (const [bom, body] of [
      [[0xff, 0xfe], Buffer.from(xml, 'utf16le')],
      [[0xfe, 0xff], Buffer.from(xml, 'utf16le').swap16()],
    ] as const) {
      expectEdxmlError(() => parseEdxml(Buffer.concat([Buffer.from(bom), body])), 'EDXML_MALFORMED');
    }
  });

  it('when UTF-16 text is sound, then it reads as the UTF-8 envelope does (both byte orders)', () => {
    const xml = declared(BASE, 'UTF-16');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(xml, 'utf16le').swap16()]);
    expect(documentOf(parseEdxml(le)).subject).to.equal(baseSubject);
    expect(documentOf(parseEdxml(be)).subject).to.equal(baseSubject);
  });
});

describe('when markup-like text stands in character data', () => {
  it('when a subject in CDATA or a comment mentions <!DOCTYPE html>, then the envelope is read', () => {
    const inCdata = BASE.replace(SUBJECT, '<edXML:Subject><![CDATA[Hướng dẫn nhúng <!DOCTYPE html> vào cổng]]></edXML:Subject>');
    expect(documentOf(parseEdxml(inCdata)).subject).to.equal('Hướng dẫn nhúng <!DOCTYPE html> vào cổng');
    const inComment = BASE.replace('<edXML:edXMLHeader>', '<edXML:edXMLHeader><!-- generated from <!DOCTYPE html> templates -->');
    expect(documentOf(parseEdxml(inComment)).subject).to.equal(baseSubject);
  });

  it('when a DOCTYPE stands after the root element opened, then it is still refused', () => {
    expectEdxmlError(() => parseEdxml(BASE.replace('<edXML:edXMLHeader>', '<!DOCTYPE x [<!ENTITY a "b">]><edXML:edXMLHeader>')), 'EDXML_FORBIDDEN_DTD');
  });
});

describe('when the envelope is bare (no <edXML> wrapper) and carries its attachments inside', () => {
  it('then each attachment is read once', () => {
    const envelope = /<edXML:edXMLEnvelope[\s\S]*<\/edXML:edXMLEnvelope>/.exec(BASE)![0];
    const attachments = /<AttachmentEncoded>[\s\S]*<\/AttachmentEncoded>/.exec(BASE)![0].replace('<AttachmentEncoded>', '<AttachmentEncoded xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">');
    const bare = `<?xml version="1.0" encoding="UTF-8"?>\n${envelope.replace('</edXML:edXMLEnvelope>', `${attachments}</edXML:edXMLEnvelope>`)}`;
    const wrapped = documentOf(parseEdxml(BASE)).attachments;
    const read = documentOf(parseEdxml(bare)).attachments;
    expect(wrapped).to.have.length.greaterThan(0);
    expect(read.map((a) => a.name)).to.deep.equal(wrapped.map((a) => a.name));
  });
});
