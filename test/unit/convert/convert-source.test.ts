import { expect } from 'chai';
import { convertSource } from '../../../services/convert/convert-source';
import { makePdf } from '../../support/pdf.fixture';
import { flat, keepPagePng, pdffonts, pdfinfo, pdftotext } from '../render/poppler-tools';
import { centrePixel, minimalDocx, solidJpeg, solidPng } from './source-fixtures';

const TEXT = 'Kính gửi: Ủy ban nhân dân các huyện\n\nĐề nghị báo cáo tỷ lệ văn bản điện tử trước ngày 20/3.\n\tDòng có tab.\n';

const MARKDOWN = `# Kế hoạch chuyển đổi số

Mục tiêu **60%** văn bản được gửi qua [mạng](https://example.gov.vn) điện tử.

1. Rà soát hệ thống
2. Cấp chữ ký số
   - cho lãnh đạo
   - cho văn thư

| Đơn vị | Tỷ lệ |
|---|---|
| Sở Nội vụ | 62% |
`;

const HTML = `<!DOCTYPE html><html><head><title>Tiêu đề trang</title><script>document.title = "pwned-by-script"</script>
<style>p { color: red }</style></head><body onload="steal()">
<h1>Thông báo</h1><p>Họp giao ban lúc <b>8 giờ</b><br>tại phòng họp số 2.</p>
<img src="x" onerror="alert('pwned-by-attribute')"><iframe src="https://evil.example">pwned-by-iframe</iframe>
<ul><li>Thành phần: lãnh đạo các sở</li></ul><table><tr><th>Giờ</th><th>Nội dung</th></tr><tr><td>8:00</td><td>Khai mạc</td></tr></table>
</body></html>`;

describe('when sources of each supported type are converted', () => {
  it('when the source is a PDF, then the very same bytes come back with the page count', async () => {
    const pdf = await makePdf(3);
    const result = await convertSource(pdf);
    expect(result.sourceType).to.equal('pdf');
    expect(result.pageCount).to.equal(3);
    expect(result.pdf.equals(pdf)).to.equal(true);
  });

  it('when the source is plain text, then its lines print in order on A4 with embedded subset fonts', async () => {
    const result = await convertSource(Buffer.from(TEXT, 'utf8'));
    expect(result.sourceType).to.equal('text');
    const lines = pdftotext(result.pdf).split('\n').map((l) => l.trim()).filter(Boolean);
    expect(lines).to.deep.equal(['Kính gửi: Ủy ban nhân dân các huyện', 'Đề nghị báo cáo tỷ lệ văn bản điện tử trước ngày 20/3.', 'Dòng có tab.']);
    expect(pdfinfo(result.pdf)).to.include({ pages: 1 });
    for (const f of pdffonts(result.pdf)) expect(f).to.include({ emb: 'yes', sub: 'yes' });
  });

  it('when the source is Markdown, then headings, lists with their labels and tables print as text', async () => {
    const result = await convertSource(Buffer.from(MARKDOWN, 'utf8'));
    expect(result.sourceType).to.equal('markdown');
    const text = flat(pdftotext(result.pdf));
    for (const part of ['Kế hoạch chuyển đổi số', 'Mục tiêu 60% văn bản được gửi qua mạng điện tử.', '1. Rà soát hệ thống', '2. Cấp chữ ký số', '- cho lãnh đạo', 'Sở Nội vụ 62%']) {
      expect(text).to.include(part);
    }
    expect(text).not.to.include('**');
    expect(text).not.to.include('https://');
  });

  it('when the source is HTML with a script, then the text prints and nothing of the script, styles or frames survives', async () => {
    const result = await convertSource(Buffer.from(HTML, 'utf8'));
    expect(result.sourceType).to.equal('html');
    const text = flat(pdftotext(result.pdf));
    for (const part of ['Thông báo', 'Họp giao ban lúc 8 giờ', 'tại phòng họp số 2.', '- Thành phần: lãnh đạo các sở', 'Giờ', 'Khai mạc']) expect(text).to.include(part);
    expect(text).not.to.match(/pwned|steal|color: red|Tiêu đề trang/);
  });

  it('when the source is a Word document, then its paragraphs and table print', async () => {
    const result = await convertSource(minimalDocx());
    expect(result.sourceType).to.equal('docx');
    const text = flat(pdftotext(result.pdf));
    expect(text).to.include('Báo cáo kết quả cải cách hành chính quý I');
    expect(text).to.include('Tỷ lệ văn bản điện tử đạt 62%.');
    expect(text).to.match(/Đơn vị\s+Tỷ lệ/);
  });

  it('when the source is a PNG scan, then it fills one page oriented like the image, in its colours', async () => {
    const result = await convertSource(solidPng(300, 200, [200, 30, 30]));
    expect(result).to.include({ sourceType: 'png', pageCount: 1 });
    const info = pdfinfo(result.pdf);
    expect(info.width).to.be.closeTo(841.89, 1); // landscape image, landscape page
    const [r, g, b] = centrePixel(result.pdf);
    expect(r).to.be.above(170);
    expect(g).to.be.below(70);
    expect(b).to.be.below(70);
  });

  it('when the source is a JPEG scan, then it fills one portrait A4 page in its colours', async () => {
    const result = await convertSource(solidJpeg(120, 240, [20, 40, 200]));
    expect(result).to.include({ sourceType: 'jpeg', pageCount: 1 });
    expect(pdfinfo(result.pdf).height).to.be.closeTo(841.89, 1);
    const [r, , b] = centrePixel(result.pdf);
    expect(b).to.be.above(150);
    expect(r).to.be.below(80);
    keepPagePng(result.pdf, 'convert', 'jpeg-scan');
  });

  it('when a text looks like plain text but is declared Markdown, then the declaration decides', async () => {
    const source = Buffer.from('Một dòng *nhấn mạnh* thôi.', 'utf8');
    expect((await convertSource(source)).sourceType).to.equal('text');
    const declared = await convertSource(source, { declaredType: 'text/markdown' });
    expect(declared.sourceType).to.equal('markdown');
    expect(flat(pdftotext(declared.pdf)).trim()).to.equal('Một dòng nhấn mạnh thôi.');
  });
});
