import { expect } from 'chai';
import { greedyLineBreaker, balancedLines } from '../../../services/render/layout/line-breaker';
import type { TextEngine } from '../../../services/render/layout/text-engine';
import { agencyKind, authorityLine, placeAndDate, urgencyMark } from '../../../services/render/official/labels';

/** A font where every character is 1 pt wide at size 1, counting what it is asked to measure. */
function countingEngine(): TextEngine & { asked: Map<string, number> } {
  const asked = new Map<string, number>();
  return {
    asked,
    widthOf(text: string, size: number) {
      asked.set(text, (asked.get(text) ?? 0) + 1);
      return [...text].length * size;
    },
    async embed() {},
    drawPlaced() {},
    async flush() {},
  };
}

describe('when the date line and signer labels are written', () => {
  it('then days below 10 and January/February take a leading zero, other months do not', () => {
    expect(placeAndDate('Đắk Lắk', '2012-03-05')).to.equal('Đắk Lắk, ngày 05 tháng 3 năm 2012');
    expect(placeAndDate('Hà Nội', '2026-01-09')).to.equal('Hà Nội, ngày 09 tháng 01 năm 2026');
    expect(placeAndDate('Hà Nội', '2026-02-28')).to.equal('Hà Nội, ngày 28 tháng 02 năm 2026');
    expect(placeAndDate('Huế', '2026-12-31')).to.equal('Huế, ngày 31 tháng 12 năm 2026');
    expect(() => placeAndDate('Huế', '2026-13-01')).to.throw(/not a calendar date/);
  });

  it('then TM. names the collective body without its place, and KT. names the head for a deputy', () => {
    expect(agencyKind('Ủy ban nhân dân tỉnh Đắk Lắk')).to.equal('Ủy ban nhân dân');
    expect(agencyKind('Ủy ban nhân dân thành phố Buôn Ma Thuột')).to.equal('Ủy ban nhân dân');
    expect(agencyKind('Văn phòng Chính phủ')).to.equal('Văn phòng Chính phủ');
    expect(authorityLine('TM.', 'Chủ tịch', 'Ủy ban nhân dân tỉnh Đắk Lắk')).to.equal('TM. ỦY BAN NHÂN DÂN');
    expect(authorityLine('KT.', 'Phó Chủ tịch', 'Ủy ban nhân dân tỉnh Đắk Lắk')).to.equal('KT. CHỦ TỊCH');
    expect(authorityLine('tm. ban thường vụ', 'Bí thư', 'Tỉnh ủy')).to.equal('TM. BAN THƯỜNG VỤ');
    expect(authorityLine(undefined, 'Giám đốc', 'Sở Nội vụ')).to.equal(null);
  });

  it('then urgency marks are the decree words and a normal document has none', () => {
    expect(['normal', 'urgent', 'very_urgent', 'flash'].map((u) => urgencyMark(u as never))).to.deep.equal([null, 'KHẨN', 'THƯỢNG KHẨN', 'HỎA TỐC']);
  });
});

describe('when text is broken into lines', () => {
  const request = { size: 1, style: 'regular' as const, firstWidth: 12, restWidth: 16 };

  it('then no line is wider than its width, the first line is shorter, and each word is measured once', () => {
    const fonts = countingEngine();
    const text = 'một hai ba bốn năm sáu bảy tám chín mười một hai ba';
    const lines = greedyLineBreaker({ ...request, text }, fonts);
    expect(lines.map((l) => l.words.join(' '))).to.deep.equal(['một hai ba', 'bốn năm sáu bảy', 'tám chín mười', 'một hai ba']);
    lines.forEach((l, i) => expect(l.width).to.be.at.most(i === 0 ? 12 : 16));
    expect(lines.map((l) => l.end)).to.deep.equal([false, false, false, true]);
    for (const [word, times] of fonts.asked) expect(times, word).to.be.at.most(2); // once here; "một hai ba" repeats
    expect([...fonts.asked.keys()].every((k) => !k.includes(' ') || k === ' ')).to.equal(true);
  });

  it('then a forced newline ends a line, blank lines keep their place, and long words are cut', () => {
    const fonts = countingEngine();
    const lines = greedyLineBreaker({ ...request, text: 'ab\n\n' + 'x'.repeat(40) }, fonts);
    expect(lines.map((l) => l.words.join(' '))).to.deep.equal(['ab', '', 'x'.repeat(16), 'x'.repeat(16), 'x'.repeat(8)]);
  });

  it('then a balanced title keeps the line count but evens the lines out', () => {
    const fonts = countingEngine();
    const greedy = greedyLineBreaker({ ...request, firstWidth: 20, restWidth: 20, text: 'ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK' }, fonts);
    const even = balancedLines({ size: 1, style: 'bold', width: 20, text: 'ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK' }, fonts, greedyLineBreaker);
    expect(greedy.map((l) => l.words.join(' '))).to.deep.equal(['ỦY BAN NHÂN DÂN TỈNH', 'ĐẮK LẮK']);
    expect(even.map((l) => l.words.join(' '))).to.deep.equal(['ỦY BAN NHÂN DÂN', 'TỈNH ĐẮK LẮK']);
  });
});
