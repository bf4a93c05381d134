import { expect } from 'chai';
import { handlingSlipPdf } from '../../../services/domain/handling/handling-slip.pdf';
import { buildPaperPacket } from '../../../services/paper-packet/build-packet';
import { NATIONAL_MOTTO, NATIONAL_TITLE } from '../../../services/render/official/national-header';
import { renderOfficialDocument } from '../../../services/render/render-official-document';
import { printedCopy } from '../../../services/reports/printed-copy';
import { renderQuarterlyPdf } from '../../../services/reports/quarterly-report.pdf';
import { renderRegisterPdf } from '../../../services/reports/register.pdf';
import { directiveInput } from '../render/directive-fixture';
import { flat, keepPagePng, missingInOrder, pdffonts, pdfinfo, pdftotext } from '../render/poppler-tools';
import { handlingSlip, quarterlyData, registerInput, transmittalSlip } from './paper-fixtures';

/** Reports, registers and slips, laid out by the document engine, read back by poppler. */

function pageText(pdf: Buffer, page: number): string {
  return flat(pdftotext(pdf, ['-f', String(page), '-l', String(page), '-layout']));
}

describe('papers other than official documents, through the one layout engine', function () {
  this.timeout(60_000);

  it('when the quarterly report of 40 agencies is printed, then it is landscape A4, every page repeats the table header and is numbered, and every agency is in it', async () => {
    const pdf = await renderQuarterlyPdf(quarterlyData(40));
    const info = pdfinfo(pdf);
    expect([info.width, info.height]).to.deep.equal([841.89, 595.28]);
    expect(info.pages).to.be.greaterThan(1);
    const first = pageText(pdf, 1);
    expect(missingInOrder(first, [NATIONAL_TITLE, NATIONAL_MOTTO, 'BÁO CÁO KẾT QUẢ TRAO ĐỔI VĂN BẢN ĐIỆN TỬ', 'QUÝ III NĂM 2026'])).to.deep.equal([]);
    expect(first).to.contain('Tỷ lệ văn bản điện tử: 92,11%; chỉ tiêu 60,00%: Đạt.');
    for (const chartLabel of ['Tỷ lệ văn bản điện tử theo tháng', 'Tháng 7', 'Tháng 9', '72,00%', 'Chỉ tiêu 60%', 'chưa có']) expect(first).to.contain(chartLabel);
    for (let p = 1; p <= info.pages; p++) {
      const text = pageText(pdf, p);
      if (p < info.pages) expect(text, `page ${p}`).to.contain('Mã định danh');
      expect(text, `page ${p}`).to.contain(`Trang ${p}/${info.pages}`);
      expect(text, `page ${p}`).to.contain('Lập lúc 01/10/2026 10:04 (giờ Việt Nam)');
    }
    const all = flat(pdftotext(pdf));
    const codes = Array.from({ length: 40 }, (_, i) => `000.00.${String(i).padStart(2, '0')}.H15`);
    expect(missingInOrder(all, [...codes, 'Toàn tỉnh', 'Mốc sổ cái khi lập báo cáo: dòng #4242'])).to.deep.equal([]);
    expect(pdffonts(pdf).every((f) => f.emb === 'yes' && f.sub === 'yes')).to.equal(true);
    keepPagePng(pdf, 'reports', 'quarterly-engine-page2', 2);
  });

  it('when a register of 60 entries is printed, then the cover is a page of its own and each table page carries the header, the printer line and its number', async () => {
    const input = registerInput(60);
    const pdf = await renderRegisterPdf(input);
    const { pages, width } = pdfinfo(pdf);
    expect(width).to.equal(841.89);
    expect(pages).to.be.greaterThan(2);
    const cover = pageText(pdf, 1);
    expect(missingInOrder(cover, ['ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK', 'SỞ NỘI VỤ', 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN', 'Sổ văn bản đến chung', 'Năm: 2026', 'Từ số 1 đến số 60'])).to.deep.equal([]);
    expect(cover).not.to.contain('Số đến');
    for (let p = 1; p <= pages; p++) {
      const text = pageText(pdf, p);
      if (p > 1) expect(missingInOrder(text, ['Ngày đến', 'Số đến', 'Tác giả', 'Tên loại và trích yếu nội dung']), `page ${p}`).to.deep.equal([]);
      expect(text, `page ${p}`).to.contain(input.printedLine);
      expect(text, `page ${p}`).to.contain(`Trang ${p}/${pages}`);
    }
    const all = flat(pdftotext(pdf));
    expect(missingInOrder(all, Array.from({ length: 60 }, (_, i) => `${i + 1}/UBND-VP`))).to.deep.equal([]);
  });

  it('when an empty register is printed, then the table page says so', async () => {
    const pdf = await renderRegisterPdf({ ...registerInput(0), rows: [] });
    expect(pdfinfo(pdf).pages).to.equal(2);
    expect(pageText(pdf, 2)).to.contain('Sổ chưa có văn bản nào.');
  });

  it('when a paper packet is built, then page 1 is the slip under the national title and motto, followed by every page of the signed document', async () => {
    const doc = await renderOfficialDocument(directiveInput());
    const { bytes, pages } = await buildPaperPacket(doc.pdf, transmittalSlip(), new Date('2026-10-01T03:04:05Z'));
    expect(pages).to.equal(1 + doc.pageCount);
    expect(pdfinfo(bytes).pages).to.equal(pages);
    const slip = pageText(bytes, 1);
    expect(missingInOrder(slip, ['ỦY BAN NHÂN DÂN', 'TỈNH ĐẮK LẮK', 'SỞ NỘI VỤ', 'Số: ........../PG'])).to.deep.equal([]);
    expect(missingInOrder(slip, [NATIONAL_TITLE, NATIONAL_MOTTO, 'Đắk Lắk, ngày 01 tháng 10 năm 2026'])).to.deep.equal([]);
    expect(missingInOrder(slip, ['PHIẾU GỬI', 'Kính gửi: Ủy ban nhân dân xã Ea Tu (mã định danh 000.00.31.H15)', 'Số 27/CT-UBND ngày 28/09/2026', `Số trang: ${doc.pageCount}`, 'NGƯỜI NHẬN', 'NGƯỜI GỬI'])).to.deep.equal([]);
    expect(pageText(bytes, 2)).to.contain('CHỈ THỊ');
  });

  it('when a handling slip has 40 steps, then they flow onto further pages, all in order', async () => {
    const pdf = await handlingSlipPdf(handlingSlip(40));
    expect(pdfinfo(pdf).pages).to.be.greaterThan(1);
    const all = flat(pdftotext(pdf));
    expect(missingInOrder(all, ['PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN', 'Hỏa tốc', 'Giao Phòng Tổng hợp chủ trì', 'Phòng Nghiệp vụ', '15/10/2026', 'QUÁ TRÌNH GIẢI QUYẾT'])).to.deep.equal([]);
    expect(missingInOrder(all, [...Array.from({ length: 40 }, (_, i) => `Ý kiến số ${i + 1}:`), 'Đã báo cáo UBND tỉnh', 'In lúc'])).to.deep.equal([]);
  });

  it('when a printed copy is made, then every page carries the printer line and the page count is unchanged', async () => {
    const doc = await renderOfficialDocument(directiveInput());
    const line = 'In bởi Nguyễn Văn Á lúc 01/10/2026 10:04';
    const copy = await printedCopy(doc.pdf, line);
    expect(pdfinfo(copy).pages).to.equal(doc.pageCount);
    for (let p = 1; p <= doc.pageCount; p++) expect(pageText(copy, p), `page ${p}`).to.contain(line);
  });
});
