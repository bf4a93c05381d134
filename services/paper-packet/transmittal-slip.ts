import type { PDFDocument } from 'pdf-lib';
import type { FontStyle } from '../fonts/serif-font';
import type { Box } from '../render/layout/draw-ops';
import { a4Frame, contentWidth } from '../render/layout/geometry';
import { type PaperLine, paperParagraph, printPages, serifLayout } from '../render/layout/paper';
import { paragraphBoxes, sideBySide, stackBox } from '../render/layout/paragraph';
import { placeAndDate, upper } from '../render/official/labels';
import { NATIONAL_MOTTO as MOTTO, NATIONAL_TITLE } from '../render/official/national-header';
import { formatDayVi } from '../calendar/vn-day';

export interface TransmittalSlip {
  sender: { name: string; parentName: string | null };
  document: { number: string; notation: string; issuedOn: string; subject: string; place: string };
  recipient: { code: string; name: string };
  /** Pages of the signed document that follow the slip. */
  pageCount: number;
  /** The Vietnam calendar day the packet was produced (the day it is sent), YYYY-MM-DD. */
  sentOn: string;
}

// Decree 30 annex I margins: left 30–35 mm, right 15–20 mm, top/bottom 20–25 mm.
const FRAME = a4Frame('portrait', { top: 57, bottom: 57, left: 85, right: 57 });

/**
 * Phiếu gửi (Decree 30, type PG) as the first page(s) of `pdf`: the header of an official paper
 * (issuing agency | national title and motto), the title, what is sent to whom, and a receipt
 * block the receiving clerk signs and dates. The slip's own register number is left for the clerk
 * to write: no PG register is kept here. Laid out and painted by the document engine.
 */
export async function drawTransmittalSlip(pdf: PDFDocument, s: TransmittalSlip): Promise<void> {
  const ctx = serifLayout();
  const p = (l: PaperLine) => paperParagraph(FRAME, l);
  const width = contentWidth(FRAME);
  const leftW = width * 0.42;
  const rightX = FRAME.left + leftW;
  const rightW = width - leftW;
  const half = width / 2;
  const lines = slipLines(s);
  const boxes: Box[] = [
    sideBySide([
      stackBox([
        ...(s.sender.parentName?.trim() ? [p({ text: upper(s.sender.parentName), size: 12, align: 'center', width: leftW, balanced: true })] : []),
        p({ text: upper(s.sender.name), size: 12, style: 'bold', align: 'center', width: leftW, balanced: true }),
        p({ text: 'Số: ........../PG', size: 13, align: 'center', width: leftW, before: 4 }),
      ], ctx),
      stackBox([
        p({ text: NATIONAL_TITLE, size: 12, style: 'bold', align: 'center', x: rightX, width: rightW }),
        p({ text: MOTTO, size: 13, style: 'bold', align: 'center', x: rightX, width: rightW }),
        p({ text: placeAndDate(s.document.place, s.sentOn), size: 13, style: 'italic', align: 'center', x: rightX, width: rightW, before: 4 }),
      ], ctx),
    ]),
    ...paragraphBoxes(p({ text: 'PHIẾU GỬI', size: 14, style: 'bold', align: 'center', before: 30 }), ctx),
    ...lines.flatMap((l, i) => paragraphBoxes(p({ text: l.text, size: 13, style: l.style, before: i === 0 ? 16 : 6 }), ctx)),
    // Receipt block: the receiver signs on the left, the sending clerk on the right.
    sideBySide(
      [
        stackBox([
          p({ text: 'NGƯỜI NHẬN', size: 13, style: 'bold', align: 'center', width: half }),
          p({ text: '(Ký, ghi rõ họ tên, ngày nhận)', size: 12, style: 'italic', align: 'center', width: half }),
          p({ text: '.................................................', size: 12, align: 'center', width: half, before: 62 }),
        ], ctx),
        stackBox([
          p({ text: 'NGƯỜI GỬI', size: 13, style: 'bold', align: 'center', x: FRAME.left + half, width: half }),
          p({ text: '(Ký, ghi rõ họ tên)', size: 12, style: 'italic', align: 'center', x: FRAME.left + half, width: half }),
        ], ctx),
      ],
      30,
    ),
  ];
  await printPages(pdf, boxes, FRAME, ctx);
}

function slipLines(s: TransmittalSlip): { text: string; style: FontStyle }[] {
  const d = s.document;
  return [
    { text: `Kính gửi: ${s.recipient.name} (mã định danh ${s.recipient.code})`, style: 'regular' },
    { text: `Văn bản gửi kèm: Số ${d.number}/${d.notation} ngày ${formatDayVi(d.issuedOn)}`, style: 'regular' },
    { text: `Trích yếu: ${d.subject}`, style: 'regular' },
    { text: `Số trang: ${s.pageCount}`, style: 'regular' },
    { text: `Ngày gửi: ${formatDayVi(s.sentOn)}`, style: 'regular' },
    { text: 'Đề nghị quý cơ quan ký nhận và gửi lại phiếu này cho nơi gửi.', style: 'italic' },
  ];
}
