import type { PDFDocument } from 'pdf-lib';
import { serifFonts, type FontStyle } from '../fonts/serif-font';
import { PageFlow, drawAligned } from '../render/flow/pdf-layout';
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

const A4: [number, number] = [595.28, 841.89];
// Decree 30 annex I margins: left 30–35 mm, right 15–20 mm, top/bottom 20–25 mm.
const MARGINS = { top: 57, bottom: 57, left: 85, right: 57 };
const STYLES: FontStyle[] = ['regular', 'bold', 'italic'];

/**
 * Phiếu gửi (Decree 30, type PG) on page 1 of `pdf`: the header of an official paper (issuing
 * agency | national title and motto), the title, what is sent to whom, and a receipt block the
 * receiving clerk signs and dates. The slip's own register number is left for the clerk to write:
 * no PG register is kept here. The caller saves the PDF, after `serifFonts().flush(pdf)`.
 */
export async function drawTransmittalSlip(pdf: PDFDocument, s: TransmittalSlip): Promise<void> {
  const fonts = serifFonts();
  const lines = slipLines(s);
  const allText = [NATIONAL_TITLE, MOTTO, upper(s.sender.name), upper(s.sender.parentName ?? ''), ...lines.map((l) => l.text), 'PHIẾU GỬI'].join(' ');
  for (const style of STYLES) await fonts.embed(pdf, style, allText);

  const flow = new PageFlow(pdf, fonts, A4, MARGINS);
  const leftW = flow.width * 0.42;
  const rightX = flow.left + leftW;
  const rightW = flow.width - leftW;
  const top = flow.y;
  if (s.sender.parentName?.trim()) flow.text(upper(s.sender.parentName), { size: 12, align: 'center', width: leftW });
  flow.text(upper(s.sender.name), { size: 12, style: 'bold', align: 'center', width: leftW, after: 4 });
  flow.text('Số: ........../PG', { size: 13, align: 'center', width: leftW });
  const leftBottom = flow.y;
  flow.y = top;
  flow.text(NATIONAL_TITLE, { size: 12, style: 'bold', align: 'center', x: rightX, width: rightW });
  flow.text(MOTTO, { size: 13, style: 'bold', align: 'center', x: rightX, width: rightW, after: 4 });
  flow.text(placeAndDate(s.document.place, s.sentOn), { size: 13, style: 'italic', align: 'center', x: rightX, width: rightW });
  flow.y = Math.min(flow.y, leftBottom) - 30;

  flow.text('PHIẾU GỬI', { size: 14, style: 'bold', align: 'center', after: 16 });
  for (const l of lines) flow.text(l.text, { size: 13, style: l.style, after: 6 });

  // Receipt block: the receiver signs on the left, the sending clerk on the right.
  flow.y -= 24;
  const blockTop = flow.y;
  const half = flow.width / 2;
  flow.text('NGƯỜI NHẬN', { size: 13, style: 'bold', align: 'center', width: half });
  flow.text('(Ký, ghi rõ họ tên, ngày nhận)', { size: 12, style: 'italic', align: 'center', width: half });
  flow.y = blockTop;
  flow.text('NGƯỜI GỬI', { size: 13, style: 'bold', align: 'center', x: flow.left + half, width: half });
  flow.text('(Ký, ghi rõ họ tên)', { size: 12, style: 'italic', align: 'center', x: flow.left + half, width: half });
  const lineY = flow.y - 70;
  drawAligned(fonts, flow.page, '.................................................', { size: 12, style: 'regular', align: 'center', x: flow.left, width: half }, lineY);
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
