import { expect } from 'chai';
import { renderOfficialDocument } from '../../../services/render/render-official-document';
import type { RenderedDocument } from '../../../services/render/render-input';
import { directiveBody, directiveInput } from './directive-fixture';
import { flat, keepPagePng, missingInOrder, pdffonts, pdfinfo, pdftotext } from './poppler-tools';

describe('when the founding directive (Chỉ thị 15/CT-UBND) is rendered', () => {
  let rendered: RenderedDocument;
  const subject = directiveBody().subject;

  before(async () => {
    rendered = await renderOfficialDocument(directiveInput());
    keepPagePng(rendered.pdf, 'render', 'directive-page-1');
  });

  it('then the fixture parses into items, sub-items, dash lines and the recipients list', () => {
    const { body } = directiveBody();
    const labels = body.blocks.map((b) => (b.type === 'item' ? b.label : b.type));
    expect(labels.slice(0, 4)).to.deep.equal(['paragraph', 'paragraph', '1.', 'a)']);
    expect(labels).to.include.members(['đ)', '-', '5.']);
    expect(body.blocks.filter((b) => b.type === 'item' && b.label === '-')).to.have.length(2);
    expect(body.recipientsText?.[0]).to.equal('- TT Tỉnh uỷ,');
    expect(body.copies).to.equal('Lưu: VT, TH (y_100b).');
  });

  it('then pdftotext -layout reads every part in order with its Vietnamese diacritics', () => {
    const text = flat(pdftotext(rendered.pdf));
    expect(
      missingInOrder(text, [
        'ỦY BAN NHÂN DÂN',
        'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
        'Độc lập - Tự do - Hạnh phúc',
        'Số: 15/CT-UBND',
        'Đắk Lắk, ngày 05 tháng 3 năm 2012',
        'CHỈ THỊ',
        subject,
        'Trong những năm qua, được sự quan tâm lãnh đạo',
        '60% văn bản, tài liệu chính thức giữa cơ quan nhà nước',
        'đ) Định kỳ tổ chức khảo sát người dân và doanh nghiệp',
        'kịp thời chỉ đạo./.',
        'Nơi nhận:',
        'TM. ỦY BAN NHÂN DÂN',
        'CHỦ TỊCH',
        'Lữ Ngọc Cư',
      ]),
    ).to.deep.equal([]);
    expect(missingInOrder(text, ['Nơi nhận:', '- TT HĐND tỉnh;', '- Lưu: VT, TH (y_100b).'])).to.deep.equal([]);
  });

  it('then every word of the body is printed, in order, with nothing lost at line or page breaks', () => {
    const { body } = directiveBody();
    const words = body.blocks.flatMap((b) => (b.type === 'table' ? [] : `${b.type === 'item' ? `${b.label} ` : ''}${b.text}`.split(/\s+/))).filter(Boolean);
    const printed = flat(pdftotext(rendered.pdf));
    expect(missingInOrder(printed, words)).to.deep.equal([]);
  });

  it('then, read as columns, the recipients come before the signer: position, then name', () => {
    const text = flat(pdftotext(rendered.pdf, []));
    expect(missingInOrder(text, ['Nơi nhận:', '- Lưu: VT', 'CHỦ TỊCH', 'Lữ Ngọc Cư'])).to.deep.equal([]);
  });

  it('then every font is embedded as a subset with a ToUnicode map', () => {
    const fonts = pdffonts(rendered.pdf);
    expect(fonts.length).to.be.at.least(4); // regular, bold, italic, bold italic; latin + vietnamese files
    for (const f of fonts) {
      expect(f, f.name).to.include({ emb: 'yes', sub: 'yes', uni: 'yes' });
      expect(f.name).to.match(/^[A-Z]{6}\+Tinos-(Regular|Bold|Italic|BoldItalic)$/);
    }
    expect(new Set(fonts.map((f) => f.name)).size).to.equal(fonts.length);
  });

  it('then the pages are A4 and their count is the one returned', () => {
    const info = pdfinfo(rendered.pdf);
    expect(info.width).to.be.closeTo(595.28, 1);
    expect(info.height).to.be.closeTo(841.89, 1);
    expect(info.pages).to.equal(rendered.pageCount).and.to.be.greaterThan(1);
  });

  it('then page 2 carries its number centred at the top and page 1 none', () => {
    const firstLine = (page: number) =>
      pdftotext(rendered.pdf, ['-f', String(page), '-l', String(page), '-layout'])
        .split('\n')
        .find((l) => l.trim() !== '');
    expect(firstLine(2)?.trim()).to.equal('2');
    const indent = (firstLine(2) ?? '').search(/\S/);
    expect(indent).to.be.within(25, 55); // centred in a ~80-column text rendering of the page
    expect(firstLine(1)?.trim()).to.match(/^ỦY BAN NHÂN DÂN/);
  });

  it('then the signer stands on the last page together with the end of the body', () => {
    const last = flat(pdftotext(rendered.pdf, ['-f', String(rendered.pageCount), '-l', String(rendered.pageCount), '-layout']));
    expect(last).to.include('kịp thời chỉ đạo./.');
    expect(last).to.include('Lữ Ngọc Cư');
    expect(rendered.signerArea?.page).to.equal(rendered.pageCount - 1);
    expect(rendered.signerArea?.height).to.be.greaterThan(50);
  });

  it('then rendering it again gives the same bytes', async () => {
    const again = await renderOfficialDocument(directiveInput());
    expect(again.pdf.equals(rendered.pdf)).to.equal(true);
  });
});
