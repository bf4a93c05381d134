import { expect } from 'chai';
import { decodePdfTextBytes, encodePdfTextString, formatPdfDate, parsePdfDate } from '../../../services/signing/pdf-text';

describe('when text and dates are written into a signature dictionary', () => {
  it('then ASCII stays a literal string with parentheses and backslashes escaped', () => {
    expect(encodePdfTextString('a (b) \\c')).to.equal('(a \\(b\\) \\\\c)');
  });

  it('then Vietnamese is written as UTF-16BE with a byte-order mark and decodes back', () => {
    const encoded = encodePdfTextString('Hà Nội');
    expect(encoded).to.equal('<FEFF004800E00020004E1ED90069>');
    expect(decodePdfTextBytes(Buffer.from(encoded.slice(1, -1), 'hex'))).to.equal('Hà Nội');
  });

  it('then a date round-trips to the second in UTC, and offsets in other producers are honoured', () => {
    const date = new Date('2025-03-04T05:06:07.890Z');
    expect(formatPdfDate(date)).to.equal('D:20250304050607Z');
    expect(parsePdfDate(formatPdfDate(date))?.toISOString()).to.equal('2025-03-04T05:06:07.000Z');
    expect(parsePdfDate("D:20250304120607+07'00'")?.toISOString()).to.equal('2025-03-04T05:06:07.000Z');
    expect(parsePdfDate('D:2025')?.toISOString()).to.equal('2025-01-01T00:00:00.000Z');
    expect(parsePdfDate('yesterday')).to.equal(null);
  });
});
