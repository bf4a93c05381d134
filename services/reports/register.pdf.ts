import { PDFDocument } from 'pdf-lib';
import type { Box } from '../render/layout/draw-ops';
import { a4Frame, contentWidth } from '../render/layout/geometry';
import { type PaperLine, paperParagraph, printPages, serifLayout } from '../render/layout/paper';
import { paragraphBoxes } from '../render/layout/paragraph';
import type { HeadedColumn } from '../render/layout/table';
import { footLine, reportTable } from './report-look';

const FRAME = a4Frame('landscape', { top: 36, bottom: 42, left: 40, right: 40 });

export interface RegisterPdfInput {
  agencyName: string;
  parentName?: string | null;
  /** "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" or "… ĐI". */
  title: string;
  bookName: string;
  year: number;
  columns: HeadedColumn[];
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
  const ctx = serifLayout();
  const flow = (l: PaperLine) => paragraphBoxes(paperParagraph(FRAME, l), ctx);
  const half = contentWidth(FRAME) / 2;
  const tableTitle = flow({ text: `${d.title} — ${d.bookName} — năm ${d.year}`, size: 12, style: 'bold', align: 'center', keepWithNext: true });
  const first = tableTitle[0];
  if (first) first.breakBefore = true; // the cover is a page of its own
  const boxes: Box[] = [
    ...(d.parentName ? flow({ text: d.parentName.toUpperCase(), size: 12, align: 'center', width: half }) : []),
    ...flow({ text: d.agencyName.toUpperCase(), size: 12, style: 'bold', align: 'center', width: half }),
    ...flow({ text: d.title, size: 24, style: 'bold', align: 'center', before: 110 }),
    ...flow({ text: d.bookName, size: 14, style: 'italic', align: 'center', before: 8 }),
    ...flow({ text: `Năm: ${d.year}`, size: 14, style: 'bold', align: 'center', before: 16 }),
    ...d.ranges.flatMap((text, i) => flow({ text, size: 13, align: 'center', before: i === 0 ? 16 : 4 })),
    ...tableTitle,
    ...(d.rows.length === 0
      ? flow({ text: 'Sổ chưa có văn bản nào.', size: 11, style: 'italic', align: 'center', before: 8 })
      : reportTable(d.columns, d.rows, FRAME, ctx, 8)),
  ];
  await printPages(pdf, boxes, FRAME, ctx, footLine(d.printedLine, FRAME, ctx));
  return Buffer.from(await pdf.save({ useObjectStreams: true }));
}
