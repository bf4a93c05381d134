import { expect } from 'chai';
import { zipSync } from 'fflate';
import { crc32 } from '../../../services/edxml/edxml-zip';
import { parseEdxml } from '../../../services/edxml/parse-edxml';
import { documentOf, expectEdxmlError, fixtureText, parseFixture } from './edxml-test-support';

const BASE = fixtureText('new_doc_two_recipients_pdf.edxml');

/** The PDF fixture with its one attachment swapped for these bytes and type. */
function withAttachment(bytes: Uint8Array, contentType = 'application/zip'): string {
  return BASE.replace(/<ContentType>[^<]*<\/ContentType>/, `<ContentType>${contentType}</ContentType>`).replace(
    /<ContentTransferEncoded>[^<]*</,
    `<ContentTransferEncoded>${Buffer.from(bytes).toString('base64')}<`,
  );
}

/** Offset of the first central directory header: where declared sizes live. */
function centralHeader(zip: Uint8Array): number {
  const b = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  return b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
}

function timed<T>(fn: () => T): { ms: number; result?: T; error?: unknown } {
  const start = Date.now();
  try {
    return { result: fn(), ms: Date.now() - start };
  } catch (error) {
    return { error, ms: Date.now() - start };
  }
}

describe('when hostile edXML arrives', () => {
  describe('when it declares a DTD', () => {
    it('when it tries XXE against /etc/passwd, then EDXML_FORBIDDEN_DTD before any parsing', () => {
      expectEdxmlError(() => parseFixture('hostile_xxe.edxml'), 'EDXML_FORBIDDEN_DTD', 'DOCTYPE');
    });
    it('when it is a billion-laughs bomb, then EDXML_FORBIDDEN_DTD at once', () => {
      const r = timed(() => parseFixture('hostile_billion_laughs.edxml'));
      expect(r.ms).to.be.below(1000);
      expectEdxmlError(() => { throw r.error; }, 'EDXML_FORBIDDEN_DTD');
    });
    it('when the DOCTYPE is lowercase and has no entities, then it is refused all the same', () => {
      const xml = BASE.replace('<edXML xmlns=', '<!doctype edXML>\n<edXML xmlns=');
      expectEdxmlError(() => parseEdxml(xml), 'EDXML_FORBIDDEN_DTD');
    });
    it('when the input is UTF-16 with a DOCTYPE, then it is refused after decoding', () => {
      const xml = BASE.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY a "b">]>');
      const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
      expectEdxmlError(() => parseEdxml(bytes), 'EDXML_FORBIDDEN_DTD');
    });
  });

  describe('when an attachment is a zip bomb', () => {
    it('when 20 MB of zeros are zipped (ratio ≈ 1000), then EDXML_ZIP_BOMB names the attachment', () => {
      const zip = zipSync({ 'zeros.pdf': [new Uint8Array(20 * 1024 * 1024), { level: 9 }] });
      expect(zip.length).to.be.below(100_000);
      const err = expectEdxmlError(() => parseEdxml(withAttachment(zip)), 'EDXML_ZIP_BOMB', 'Attachment/ContentTransferEncoded');
      expect(err.message).to.match(/compression ratio \d+/);
    });

    it('when a member declares 4 GB, then EDXML_ZIP_BOMB comes before anything is allocated', () => {
      const zip = zipSync({ 'a.txt': new TextEncoder().encode('Nội dung ngắn') });
      Buffer.from(zip.buffer).writeUInt32LE(0xfffffff0, centralHeader(zip) + 24);
      const r = timed(() => parseEdxml(withAttachment(zip)));
      expect(r.ms).to.be.below(1000);
      expectEdxmlError(() => { throw r.error; }, 'EDXML_ZIP_BOMB');
      expect((r.error as Error).message).to.contain('uncompressed bytes');
    });

    it('when a member inflates beyond the size it declares, then EDXML_ZIP_BOMB stops it', () => {
      const text = new TextEncoder().encode('Công văn số 015/STC-NS. '.repeat(4000));
      const zip = zipSync({ 'cv.txt': text });
      Buffer.from(zip.buffer).writeUInt32LE(100, centralHeader(zip) + 24);
      const err = expectEdxmlError(() => parseEdxml(withAttachment(zip)), 'EDXML_ZIP_BOMB');
      expect(err.message).to.contain('beyond its declared 100 bytes');
    });

    it('when the zip holds more members than allowed, then EDXML_ZIP_BOMB', () => {
      const members: Record<string, Uint8Array> = {};
      for (let i = 0; i < 501; i++) members[`phu-luc-${i}.txt`] = new Uint8Array([65]);
      expectEdxmlError(() => parseEdxml(withAttachment(zipSync(members))), 'EDXML_ZIP_BOMB');
      expect(documentOf(parseEdxml(withAttachment(zipSync(members)), { maxZipEntries: 600, maxAttachments: 600 })).attachments).to.have.length(501);
    });

    it('when several zips stay under the limit one by one but not together, then EDXML_ZIP_BOMB', () => {
      const member = new TextEncoder().encode('Số liệu ngân sách quý I. '.repeat(2000));
      const one = /<Attachment>[\s\S]*?<\/Attachment>/.exec(withAttachment(zipSync({ 'bang-so-lieu.txt': member })))![0];
      const xml = BASE.replace(/<Attachment>[\s\S]*?<\/Attachment>/, one.repeat(3));
      expect(documentOf(parseEdxml(xml, { maxZipTotalBytes: member.length * 3 })).attachments).to.have.length(3);
      expectEdxmlError(() => parseEdxml(xml, { maxZipTotalBytes: member.length * 2.5 }), 'EDXML_ZIP_BOMB');
    });

    it('when a member CRC does not match, then EDXML_INVALID_VALUE (corrupt, not silently truncated)', () => {
      const zip = zipSync({ 'a.txt': new TextEncoder().encode('Báo cáo tháng 3') });
      const b = Buffer.from(zip.buffer);
      const crcAt = centralHeader(zip) + 16;
      b.writeUInt32LE((b.readUInt32LE(crcAt) ^ 1) >>> 0, crcAt);
      expectEdxmlError(() => parseEdxml(withAttachment(zip)), 'EDXML_INVALID_VALUE', 'ContentTransferEncoded');
    });

    it('when a zip contains another zip, then the inner one is handed over as a file, not opened', () => {
      const inner = zipSync({ 'x.txt': new Uint8Array(10) });
      const doc = documentOf(parseEdxml(withAttachment(zipSync({ 'inner.zip': inner }))));
      expect(doc.attachments.map((a) => [a.name, a.contentType])).to.deep.equal([['inner.zip', 'application/zip']]);
      expect(crc32(doc.attachments[0]!.bytes)).to.equal(crc32(inner));
    });

    it('when content is labelled application/zip but is not a zip, then EDXML_INVALID_VALUE', () => {
      expectEdxmlError(() => parseEdxml(withAttachment(Buffer.from('%PDF-1.4 not a zip'))), 'EDXML_INVALID_VALUE', 'ContentTransferEncoded');
    });
  });

  describe('when it is too big in some dimension', () => {
    it('when there are more attachments than allowed, then EDXML_TOO_LARGE names AttachmentEncoded', () => {
      const one = /<Attachment>[\s\S]*?<\/Attachment>/.exec(BASE)![0];
      const xml = BASE.replace(one, one.repeat(101));
      expectEdxmlError(() => parseEdxml(xml), 'EDXML_TOO_LARGE', 'AttachmentEncoded');
      expect(documentOf(parseEdxml(BASE.replace(one, one.repeat(3)))).attachments).to.have.length(3);
    });

    it('when the input is over 60 MB, then EDXML_TOO_LARGE before decoding', () => {
      const big = Buffer.alloc(60 * 1024 * 1024 + 1, 0x20);
      expectEdxmlError(() => parseEdxml(big), 'EDXML_TOO_LARGE');
    });

    it('when a caller sets a smaller input limit, then it applies', () => {
      expectEdxmlError(() => parseEdxml(BASE, { maxInputBytes: 1000 }), 'EDXML_TOO_LARGE', 'edXML');
    });

    it('when elements nest 10 000 deep, then EDXML_TOO_LARGE names the element', () => {
      const deep = '<x>'.repeat(10_000) + '</x>'.repeat(10_000);
      const r = timed(() => parseEdxml(BASE.replace('<edXML:Subject>', `${deep}<edXML:Subject>`)));
      expect(r.ms).to.be.below(1000);
      expectEdxmlError(() => { throw r.error; }, 'EDXML_TOO_LARGE', 'x');
    });

    it('when there are 200 000 empty elements, then EDXML_TOO_LARGE', () => {
      expectEdxmlError(() => parseEdxml(BASE.replace('<edXML:Subject>', `${'<y/>'.repeat(200_000)}<edXML:Subject>`)), 'EDXML_TOO_LARGE');
    });
  });

  describe('when it is not well-formed', () => {
    const cases: [string, string | Buffer][] = [
      ['an unclosed element', BASE.replace('</edXML:Subject>', '')],
      ['text that is not XML', 'Đây không phải là XML'],
      ['an empty body', ''],
      ['an undeclared prefix', BASE.replace('<edXML:Subject>', '<xlink:a/><edXML:Subject>')],
      ['two root elements', `${BASE}<edXML/>`],
      ['text after the root element', `${BASE}Hết.`],
      ['bytes that are not UTF-8', Buffer.concat([Buffer.from(BASE.slice(0, 200)), Buffer.from([0xc3, 0x28, 0xff])])],
    ];
    for (const [what, input] of cases) {
      it(`when it is ${what}, then EDXML_MALFORMED`, () => {
        expectEdxmlError(() => parseEdxml(input), 'EDXML_MALFORMED');
      });
    }

    it('when it declares a legacy encoding, then EDXML_INVALID_VALUE asks for UTF-8', () => {
      const err = expectEdxmlError(() => parseEdxml(Buffer.from(BASE.replace('encoding="UTF-8"', 'encoding="windows-1258"'))), 'EDXML_INVALID_VALUE');
      expect(err.message).to.contain('UTF-8');
    });
  });
});
