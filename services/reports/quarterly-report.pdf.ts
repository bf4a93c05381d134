import { PDFDocument } from 'pdf-lib';
import { serifFonts, type FontStyle } from '../fonts/serif-font';
import { NATIONAL_MOTTO, NATIONAL_TITLE } from '../render/official/national-header';
import { GREY, PageFlow, drawAligned } from '../render/flow/pdf-layout';
import { drawTable, type Column } from '../render/flow/pdf-table';
import type { QuarterlyReportData } from './quarterly-report.data';
import { drawRateChart } from './rate-chart';
import {
  acknowledgementText,
  completionText,
  formatCount,
  formatDayVi,
  formatInstantVi,
  formatPercent,
  onTrackText,
  quarterTitle,
  reportTitle,
} from './report-format';

const A4_LANDSCAPE: [number, number] = [841.89, 595.28];
const MARGINS = { top: 36, bottom: 42, left: 40, right: 40 };
const USED_STYLES: FontStyle[] = ['regular', 'bold', 'italic'];

const COLUMNS: Column[] = [
  { header: 'STT', width: 26, align: 'center' },
  { header: 'Cơ quan', width: 178, align: 'left' },
  { header: 'Mã định danh', width: 90, align: 'left' },
  { header: 'Tổng số VB đi', width: 42, align: 'right' },
  { header: 'Điện tử', width: 40, align: 'right' },
  { header: 'Giấy', width: 36, align: 'right' },
  { header: 'Hỗn hợp', width: 40, align: 'right' },
  { header: 'Tỷ lệ VB điện tử', width: 54, align: 'right' },
  { header: 'Tỷ lệ bản gửi điện tử', width: 56, align: 'right' },
  { header: 'Chỉ tiêu, đánh giá', width: 52, align: 'center' },
  { header: 'Tiếp nhận đúng hạn', width: 74, align: 'right' },
  { header: 'Hoàn thành đúng hạn', width: 73, align: 'right' },
];

/** The quarterly report as a Vietnamese PDF: province figures, a monthly chart, a table per agency. */
export async function renderQuarterlyPdf(d: QuarterlyReportData): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const title = `${reportTitle()} ${quarterTitle(d.year, d.quarter)}`;
  pdf.setTitle(title);
  pdf.setLanguage('vi-VN');
  pdf.setCreator('Liên Thông');
  pdf.setCreationDate(d.producedAt);
  pdf.setModificationDate(d.producedAt);
  const fonts = serifFonts();
  const rows = tableRows(d);
  const allText = [title, ...rows.flat(), ...COLUMNS.map((c) => c.header), ...summaryLines(d), ...anchorLines(d), 'ĐƯỢCỦỨỪỬỮỰÂẦẤẨẪẬĂẰẮẲẴẶ–—…'].join(' ');
  for (const style of USED_STYLES) await fonts.embed(pdf, style, allText + footerSample);

  const flow = new PageFlow(pdf, fonts, A4_LANDSCAPE, MARGINS);
  const half = flow.width / 2;
  const top = flow.y;
  flow.text('HỆ THỐNG LIÊN THÔNG VĂN BẢN', { size: 11, style: 'bold', align: 'center', width: half - 60 });
  flow.y = top;
  flow.text(NATIONAL_TITLE, { size: 11, style: 'bold', align: 'center', x: flow.left + half, width: half });
  flow.text(NATIONAL_MOTTO, { size: 12, style: 'bold', align: 'center', x: flow.left + half, width: half, after: 14 });
  flow.text(reportTitle(), { size: 14, style: 'bold', align: 'center' });
  flow.text(quarterTitle(d.year, d.quarter), { size: 13, style: 'bold', align: 'center', after: 2 });
  flow.text(coverage(d), { size: 11, style: 'italic', align: 'center', after: 10 });

  const summaryTop = flow.y;
  const textWidth = flow.width * 0.56;
  flow.text('I. KẾT QUẢ TOÀN TỈNH', { size: 12, style: 'bold', width: textWidth, after: 3 });
  for (const line of summaryLines(d)) flow.text(line, { size: 11, width: textWidth, after: 2 });
  const chartHeight = 185;
  drawRateChart(flow.page, fonts, { x: flow.left + textWidth + 24, y: summaryTop - chartHeight, width: flow.width - textWidth - 24, height: chartHeight }, d.months, d.target);
  flow.y = Math.min(flow.y, summaryTop - chartHeight) - 12;

  flow.text('II. KẾT QUẢ THEO CƠ QUAN', { size: 12, style: 'bold', after: 4 });
  drawTable(flow, COLUMNS, rows, { size: 9, headerSize: 9, padX: 3, padY: 3 }, new Set([rows.length - 1]));
  flow.y -= 8;
  flow.text(
    'Văn bản điện tử: có chữ ký số và mọi bản gửi đều được nhận qua mạng; văn bản giấy: mọi bản gửi đi bằng giấy; hỗn hợp: các trường hợp còn lại ' +
      '(có bản giấy, bản gửi lỗi). Tiếp nhận đúng hạn: vào sổ văn bản đến (trạng thái 03) trước hết ngày làm việc tiếp theo ngày văn bản đến; hoàn thành ' +
      'đúng hạn: trạng thái 06 trước hết hạn xử lý (hạn lãnh đạo giao, nếu không thì hạn ghi trên văn bản); ngày nghỉ, lễ, Tết không tính. Văn bản đang gửi chưa được tính.',
    { size: 9, style: 'italic', after: 4 },
  );
  if (d.ledgerHead) {
    flow.text(`Mốc sổ cái khi lập báo cáo: dòng #${d.ledgerHead.id}, sha256 ${d.ledgerHead.hash}`, { size: 8, color: GREY });
  }
  for (const line of anchorLines(d)) flow.text(line, { size: 8, color: GREY });
  await attachAnchors(pdf, d);
  drawFooters(pdf, fonts, d);
  return Buffer.from(await pdf.save({ useObjectStreams: true }));
}

/** The report's ledger anchors (RFC 3161 tokens), and how to check them, in the PDF's words. */
function anchorLines(d: QuarterlyReportData): string[] {
  const newest = [...d.anchors].sort((a, b) => b.genTime.getTime() - a.genTime.getTime())[0];
  if (!newest) return ['Sổ cái chưa có mốc thời gian RFC 3161 khi lập báo cáo (lienthong ledger anchor).'];
  return [
    `Mốc thời gian sổ cái (RFC 3161): ${d.anchors.length} chuỗi; mới nhất: chuỗi ${newest.chain}, dòng #${newest.rowId}, sha256 ${newest.rowHash}, lúc ${newest.genTime.toISOString()}.`,
    `Tệp đính kèm: moc-so-cai.tsr (tem của mốc mới nhất) và moc-so-cai.json (mọi chuỗi). Kiểm tra: openssl ts -verify -digest ${newest.rowHash} -in moc-so-cai.tsr -token_in -CAfile ca.pem; hoặc lienthong ledger verify.`,
  ];
}

async function attachAnchors(pdf: PDFDocument, d: QuarterlyReportData): Promise<void> {
  const newest = [...d.anchors].sort((a, b) => b.genTime.getTime() - a.genTime.getTime())[0];
  if (!newest) return;
  const opts = (mimeType: string, description: string) => ({ mimeType, description, creationDate: d.producedAt, modificationDate: d.producedAt });
  await pdf.attach(newest.token, 'moc-so-cai.tsr', opts('application/timestamp-reply', `RFC 3161: chuỗi ${newest.chain}, dòng #${newest.rowId}`));
  const all = d.anchors.map((a) => ({ chain: a.chain, rowId: a.rowId, rowHash: a.rowHash, genTime: a.genTime.toISOString(), token: a.token.toString('base64') }));
  await pdf.attach(Buffer.from(JSON.stringify(all, null, 2), 'utf8'), 'moc-so-cai.json', opts('application/json', 'Mốc thời gian của mọi chuỗi sổ cái'));
}

// Every fixed string drawn outside the data, so the font files they need are embedded up front.
const footerSample = 'Lập lúc 0123456789/: (giờ Việt Nam) Trang báo cáo chính thức cả quý đến thời điểm lập Tỷ lệ văn bản điện tử theo tháng Tháng chưa có Chỉ tiêu %';

function coverage(d: QuarterlyReportData): string {
  return `Số liệu văn bản ban hành từ ngày ${formatDayVi(d.from)} đến ngày ${formatDayVi(d.coversTo)}${d.final ? '' : ' (đến thời điểm lập báo cáo)'}`;
}

function summaryLines(d: QuarterlyReportData): string[] {
  const p = d.province;
  return [
    `- Văn bản đi liên thông giữa các cơ quan: ${formatCount(p.total)} (điện tử ${formatCount(p.electronic)}, giấy ${formatCount(p.paper)}, hỗn hợp ${formatCount(p.mixed)}).`,
    `- Tỷ lệ văn bản điện tử: ${formatPercent(p.rate)}; chỉ tiêu ${formatPercent(d.target)}: ${onTrackText(p.onTrack)}.`,
    `- Tỷ lệ bản gửi điện tử: ${formatPercent(p.dispatchRate)} (${formatCount(p.electronicDispatches)}/${formatCount(p.dispatches)} bản gửi).`,
    `- Tiếp nhận đúng hạn: ${acknowledgementText(p.onTime)}; hoàn thành đúng hạn: ${completionText(p.onTime)}.`,
    `- Văn bản đang gửi, chưa tính: ${formatCount(p.pending)}.`,
  ];
}

function tableRows(d: QuarterlyReportData): string[][] {
  const row = (n: string, name: string, code: string, c: QuarterlyReportData['province'], target: number | null) => [
    n,
    name,
    code,
    formatCount(c.total),
    formatCount(c.electronic),
    formatCount(c.paper),
    formatCount(c.mixed),
    formatPercent(c.rate),
    formatPercent(c.dispatchRate),
    c.onTrack === null ? formatPercent(target) : `${formatPercent(target)} ${onTrackText(c.onTrack)}`,
    acknowledgementText(c.onTime),
    completionText(c.onTime),
  ];
  return [
    ...d.agencies.map((a, i) => row(String(i + 1), a.name ?? a.key, a.key, { ...a, onTrack: a.onTrack }, a.target)),
    row('', 'Toàn tỉnh', '', d.province, d.target),
  ];
}

function drawFooters(pdf: PDFDocument, fonts: ReturnType<typeof serifFonts>, d: QuarterlyReportData): void {
  const pages = pdf.getPages();
  const note = `Lập lúc ${formatInstantVi(d.producedAt)} (giờ Việt Nam) · ${d.final ? 'báo cáo chính thức cả quý' : 'báo cáo đến thời điểm lập'}`;
  pages.forEach((page, i) => {
    const width = page.getWidth() - MARGINS.left - MARGINS.right;
    drawAligned(fonts, page, note, { size: 8, style: 'italic', x: MARGINS.left, width, color: GREY }, 22);
    drawAligned(fonts, page, `Trang ${i + 1}/${pages.length}`, { size: 8, style: 'regular', align: 'right', x: MARGINS.left, width, color: GREY }, 22);
  });
}
