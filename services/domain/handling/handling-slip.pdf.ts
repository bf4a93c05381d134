import { PDFDocument } from 'pdf-lib';
import { serifFonts, type FontStyle } from '../../fonts/serif-font';
import { PageFlow } from '../../render/flow/pdf-layout';
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

const A4: [number, number] = [595.28, 841.89];
const MARGINS = { top: 57, bottom: 57, left: 85, right: 57 };
const STYLES: FontStyle[] = ['regular', 'bold', 'italic'];
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
  const fonts = serifFonts();
  const all = [upper(s.agencyName), upper(s.parentName ?? ''), 'PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN', `In lúc ${vnInstant(s.printedAt)}`, ...body.map((b) => b.text)].join(' ');
  for (const style of STYLES) await fonts.embed(pdf, style, all);
  const flow = new PageFlow(pdf, fonts, A4, MARGINS);
  const leftW = flow.width * 0.5;
  if (s.parentName?.trim()) flow.text(upper(s.parentName), { size: 12, align: 'center', width: leftW });
  flow.text(upper(s.agencyName), { size: 12, style: 'bold', align: 'center', width: leftW, after: 24 });
  flow.text('PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN', { size: 14, style: 'bold', align: 'center', after: 16 });
  for (const b of body) flow.text(b.text, { size: 13, style: b.style, after: b.after ?? 4 });
  flow.text(`In lúc ${vnInstant(s.printedAt)}`, { size: 11, style: 'italic', align: 'right' });
  await fonts.flush(pdf);
  return Buffer.from(await pdf.save({ useObjectStreams: true }));
}
