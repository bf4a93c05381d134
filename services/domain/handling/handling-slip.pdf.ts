import { PDFDocument } from 'pdf-lib';
import type { FontStyle } from '../../fonts/serif-font';
import { a4Frame, contentWidth } from '../../render/layout/geometry';
import { type PaperLine, paperParagraph, printPages, serifLayout } from '../../render/layout/paper';
import { paragraphBoxes } from '../../render/layout/paragraph';
import { formatDayVi } from '../../calendar/vn-day';
import { upper } from '../../render/official/labels';
import type { Handling } from './handling.repository';

export interface HandlingSlipData {
  agencyName: string;
  parentName: string | null;
  incomingNumber: string | null;
  arrivedAt: Date | null;
  sender: string;
  number: string;
  notation: string;
  issuedOn: string;
  subject: string;
  urgency: string;
  handling: Handling;
  printedAt: Date;
}

const FRAME = a4Frame('portrait', { top: 57, bottom: 57, left: 85, right: 57 });
const URGENCY: Record<string, string> = { normal: 'Thường', urgent: 'Khẩn', very_urgent: 'Thượng khẩn', flash: 'Hỏa tốc' };
const STEP: Record<string, string> = {
  register: 'Vào sổ', submit: 'Trình', assign: 'Phân công', assign_person: 'Giao chuyên viên', note: 'Ý kiến, xử lý',
  complete: 'Hoàn thành', forward: 'Chuyển', return: 'Trả lại',
};

function vnInstant(d: Date): string {
  const v = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(v.getUTCHours())}:${p(v.getUTCMinutes())} ${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()}`;
}

/**
 * Phiếu giải quyết văn bản đến (Decree 30/2020, Appendix IV): the agency, the document and its
 * incoming number, the leader's instructions (ý kiến chỉ đạo), the units in charge and helping, the
 * deadline, each step with who took it and when, and the result.
 */
export async function handlingSlipPdf(s: HandlingSlipData): Promise<Buffer> {
  const h = s.handling;
  const lead = h.assignees.filter((a) => a.role === 'lead').map((a) => a.name).join(', ');
  const support = h.assignees.filter((a) => a.role === 'support').map((a) => a.name).join(', ');
  const body: { text: string; style: FontStyle; after?: number }[] = [
    { text: `Số đến: ${s.incomingNumber ?? '—'}    Ngày đến: ${s.arrivedAt ? vnInstant(s.arrivedAt) : '—'}`, style: 'regular' },
    { text: `Cơ quan gửi: ${s.sender}`, style: 'regular' },
    { text: `Số, ký hiệu: ${s.number}/${s.notation}    Ngày ban hành: ${formatDayVi(s.issuedOn)}    Độ khẩn: ${URGENCY[s.urgency] ?? s.urgency}`, style: 'regular' },
    { text: `Trích yếu: ${s.subject}`, style: 'regular', after: 10 },
    { text: 'Ý KIẾN CHỈ ĐẠO CỦA LÃNH ĐẠO', style: 'bold' },
    { text: h.instruction ?? '—', style: 'italic' },
    { text: `Đơn vị, cá nhân chủ trì: ${lead || '—'}`, style: 'regular' },
    { text: `Đơn vị phối hợp: ${support || '—'}`, style: 'regular' },
    { text: `Hạn xử lý: ${h.deadlineOn ? formatDayVi(h.deadlineOn) : '—'}`, style: 'regular' },
    { text: `Người xử lý: ${h.handlerName ?? '—'}`, style: 'regular', after: 10 },
    { text: 'QUÁ TRÌNH GIẢI QUYẾT', style: 'bold' },
    ...h.steps.map((st) => ({
      text: `${vnInstant(st.at)} — ${STEP[st.kind] ?? st.kind} — ${st.actorName} (${st.actorRole})${st.note ? `: ${st.note}` : ''}${st.fileName ? ` [tệp: ${st.fileName}]` : ''}`,
      style: 'regular' as FontStyle,
    })),
    { text: '', style: 'regular', after: 6 },
    { text: 'KẾT QUẢ GIẢI QUYẾT', style: 'bold' },
    { text: h.result ? `${h.result}${h.completedAt ? ` (hoàn thành ${vnInstant(h.completedAt)})` : ''}` : 'Chưa hoàn thành.', style: 'regular' },
  ];
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Phiếu giải quyết văn bản đến ${s.number}/${s.notation}`);
  pdf.setLanguage('vi-VN');
  pdf.setCreator('Liên Thông');
  pdf.setCreationDate(s.printedAt);
  const ctx = serifLayout();
  const flow = (l: PaperLine) => paragraphBoxes(paperParagraph(FRAME, l), ctx);
  const leftW = contentWidth(FRAME) * 0.5;
  let before = 0; // each line's space after becomes the next one's space before
  const boxes = [
    ...(s.parentName?.trim() ? flow({ text: upper(s.parentName), size: 12, align: 'center', width: leftW, balanced: true }) : []),
    ...flow({ text: upper(s.agencyName), size: 12, style: 'bold', align: 'center', width: leftW, balanced: true }),
    ...flow({ text: 'PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN', size: 14, style: 'bold', align: 'center', before: 24 }),
    ...body.flatMap((b, i) => {
      const boxesOf = flow({ text: b.text, size: 13, style: b.style, before: i === 0 ? 16 : before });
      before = b.after ?? 4;
      return boxesOf;
    }),
    ...flow({ text: `In lúc ${vnInstant(s.printedAt)}`, size: 11, style: 'italic', align: 'right', before }),
  ];
  await printPages(pdf, boxes, FRAME, ctx);
  return Buffer.from(await pdf.save({ useObjectStreams: true }));
}
