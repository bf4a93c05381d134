import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { magicTypeOf, sniffSourceType } from '../../../services/convert/sniff';
import { sniffContentType } from '../../../services/domain/files/sniff-content-type';
import { filesSpelling } from '../../support/source-files';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
const LATE_PDF = Buffer.concat([Buffer.alloc(600, 0x20), Buffer.from('%PDF-1.7\n%%EOF\n')]);
const TOO_LATE_PDF = Buffer.concat([Buffer.alloc(1100, 0x20), Buffer.from('%PDF-1.7\n')]);


describe('file sniffing: one table of magic numbers for intake and conversion', () => {
  it('when the same bytes go to the intake sniffer and the convert sniffer, then they name the same type', () => {
    const cases: [Buffer, string, string][] = [
      [LATE_PDF, 'application/pdf', 'pdf'],
      [PNG, 'image/png', 'png'],
      [JPEG, 'image/jpeg', 'jpeg'],
    ];
    for (const [bytes, mime, source] of cases) {
      expect(sniffContentType(bytes)).to.equal(mime);
      expect(sniffSourceType(bytes)).to.equal(source);
    }
  });

  it('when a file is a legacy Office file, a PDF header past the first KiB or text, then intake finds no type and convert says why', () => {
    expect(magicTypeOf(OLE)).to.equal('ole');
    expect(sniffContentType(OLE)).to.equal(undefined);
    expect(() => sniffSourceType(OLE)).to.throw(/legacy Office/);
    expect(sniffContentType(TOO_LATE_PDF)).to.equal(undefined);
    expect(sniffSourceType(TOO_LATE_PDF)).to.equal('text');
    expect(sniffContentType(Buffer.from('Kính gửi'))).to.equal(undefined);
  });

  it('when the head of a file is given (a subarray of a larger buffer), then only its own bytes are read', () => {
    const big = Buffer.concat([Buffer.from('xxxx'), PNG]);
    expect(magicTypeOf(big.subarray(4))).to.equal('png');
    expect(magicTypeOf(big.subarray(0, 4))).to.equal(undefined);
  });

  it('when the product code is read, then only services/convert/sniff.ts holds the magic numbers', () => {
    const magic = /0x89,\s*0x50,\s*0x4e,\s*0x47|0xd0,\s*0xcf,\s*0x11,\s*0xe0|'PK\\x03\\x04'/;
    const files = filesSpelling(projectRoot(), ['services', 'workers'], magic);
    expect(files).to.deep.equal(['services/convert/sniff.ts']);
  });
});
