import { PDFDocument } from 'pdf-lib';
import { serifFonts, type FontStyle } from '../fonts/serif-font';
import { GREY, PageFlow, drawAligned } from '../render/flow/pdf-layout';
import { drawTable, type Column } from '../render/flow/pdf-table';

const A4_LANDSCAPE: [number, number] = [841.89, 595.28];
const MARGINS = { top: 36, bottom: 42, left: 40, right: 40 };
const USED_STYLES: FontStyle[] = ['regular', 'bold', 'italic'];

export interface RegisterPdfInput {
  agencyName: string;
  parentName?: string | null;
  /** "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" or "… ĐI". */
  title: string;
  bookName: string;
  year: number;
  columns: Column[];
  rows: string[][];
  /** The cover's range lines ("Từ ngày … đến ngày …", "Từ số … đến số …"). */
  ranges: string[];
  /** Who printed it and when (in words), on every page. */
  printedLine: string;
  producedAt: Date;
}

/**
 * A register book as Decree 30/2020 Appendix IV lays it out: a cover (agency, the book's title,
 * the year, the date and number ranges) and the register table on landscape A4, its header
 * repeated on each page, each page footed with who printed it, when, and its page number.
 */
export async function renderRegisterPdf(d: RegisterPdfInput): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`${d.title} năm ${d.year} — ${d.agencyName}`);
  pdf.setLanguage('vi-VN');
  pdf.setCreator('Liên Thông');
  pdf.setCreationDate(d.producedAt);
  pdf.setModificationDate(d.producedAt);
  const fonts = serifFonts();
  const allText = [d.agencyName, d.parentName ?? '', d.title, d.bookName, ...d.ranges, d.printedLine, ...d.columns.map((c) => c.header), ...d.rows.flat(), 'Trang 0123456789/Năm:'].join(' ');
  for (const style of USED_STYLES) await fonts.embed(pdf, style, allText);

  const flow = new PageFlow(pdf, fonts, A4_LANDSCAPE, MARGINS);
  const half = flow.width / 2;
  if (d.parentName) flow.text(d.parentName.toUpperCase(), { size: 12, align: 'center', width: half });
  flow.text(d.agencyName.toUpperCase(), { size: 12, style: 'bold', align: 'center', width: half, after: 110 });
  flow.text(d.title, { size: 24, style: 'bold', align: 'center', after: 8 });
  flow.text(d.bookName, { size: 14, style: 'italic', align: 'center', after: 16 });
  flow.text(`Năm: ${d.year}`, { size: 14, style: 'bold', align: 'center', after: 16 });
  for (const line of d.ranges) flow.text(line, { size: 13, align: 'center', after: 4 });
  flow.newPage();
  flow.text(`${d.title} — ${d.bookName} — năm ${d.year}`, { size: 12, style: 'bold', align: 'center', after: 8 });
  if (d.rows.length === 0) flow.text('Sổ chưa có văn bản nào.', { size: 11, style: 'italic', align: 'center' });
  else drawTable(flow, d.columns, d.rows, { size: 9, headerSize: 9, padX: 3, padY: 3 });

  const pages = pdf.getPages();
  pages.forEach((page, i) => {
    const width = page.getWidth() - MARGINS.left - MARGINS.right;
    drawAligned(fonts, page, d.printedLine, { size: 8, style: 'italic', x: MARGINS.left, width, color: GREY }, 22);
    drawAligned(fonts, page, `Trang ${i + 1}/${pages.length}`, { size: 8, style: 'regular', align: 'right', x: MARGINS.left, width, color: GREY }, 22);
  });
  return Buffer.from(await pdf.save({ useObjectStreams: true }));
}
