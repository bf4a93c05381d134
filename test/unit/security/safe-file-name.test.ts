import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_FILE_NAME_CHARS, safeFileName } from '../../../services/domain/files/safe-file-name';

const FORBIDDEN = /[\\/\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f:*?"<>|]/;

describe('safeFileName: the one sanitiser of every channel (issue 17)', () => {
  it('when a name carries path parts, CR LF with a header, or a right-to-left override, then only a plain last segment is left', () => {
    expect(safeFileName('../../../../home/user/.bashrc', 'f')).to.equal('bashrc');
    expect(safeFileName('a.pdf\r\nX-Injected: 1', 'f')).to.equal('a.pdfX-Injected_ 1');
    expect(safeFileName('hoa-don\u202Efdp.exe', 'f')).to.equal('hoa-donfdp.exe');
    expect(safeFileName('C:\\Users\\x\\bao-cao.docx', 'f')).to.equal('bao-cao.docx');
    expect(safeFileName('..', 'f')).to.equal('f');
    expect(safeFileName('\u2067\u2069', 'f')).to.equal('f');
    expect(safeFileName('Quyết định số 15.pdf', 'f')).to.equal('Quyết định số 15.pdf');
  });

  it('when a name is too long, then it is cut to the limit keeping its extension', () => {
    const out = safeFileName(`${'đ'.repeat(400)}.pdf`, 'f');
    expect([...out].length).to.equal(MAX_FILE_NAME_CHARS);
    expect(out.endsWith('.pdf')).to.equal(true);
  });

  it('when any string is sanitised, then the result has no forbidden character, fits the limit, is never empty, and sanitising again changes nothing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ maxLength: 400 })), (name) => {
        const out = safeFileName(name, 'tep');
        expect(out).to.not.match(FORBIDDEN);
        expect(out.length).to.be.greaterThan(0);
        expect([...out].length).to.be.at.most(MAX_FILE_NAME_CHARS);
        expect(out.startsWith('.')).to.equal(false);
        expect(safeFileName(out, 'tep')).to.equal(out);
      }),
      { numRuns: 2000 },
    );
  });
});
