import { PDFDocument } from 'pdf-lib';
import { NATIONAL_MOTTO, NATIONAL_TITLE } from '../render/official/national-header';
import type { Box } from '../render/layout/draw-ops';
import { a4Frame, contentWidth } from '../render/layout/geometry';
import { type PaperLine, paperParagraph, printPages, serifLayout } from '../render/layout/paper';
import { paragraphBoxes, sideBySide, stackBox } from '../render/layout/paragraph';
import type { HeadedColumn } from '../render/layout/table';
import type { QuarterlyReportData } from './quarterly-report.data';
import { rateChartBox } from './rate-chart';
import { GREY, footLine, reportTable } from './report-look';
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

const FRAME = a4Frame('landscape', { top: 36, bottom: 42, left: 40, right: 40 });

const COLUMNS: HeadedColumn[] = [
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

const DEFINITIONS =
  'Văn bản điện tử: có chữ ký số và mọi bản gửi đều được nhận qua mạng; văn bản giấy: mọi bản gửi đi bằng giấy; hỗn hợp: các trường hợp còn lại ' +
  '(có bản giấy, bản gửi lỗi). Tiếp nhận đúng hạn: vào sổ văn bản đến (trạng thái 03) trước hết ngày làm việc tiếp theo ngày văn bản đến; hoàn thành ' +
  'đúng hạn: trạng thái 06 trước hết hạn xử lý (hạn lãnh đạo giao, nếu không thì hạn ghi trên văn bản); ngày nghỉ, lễ, Tết không tính. Văn bản đang gửi chưa được tính.';

/**
 * The quarterly report as a Vietnamese PDF on landscape A4: province figures beside a monthly
 * chart, then a table per agency. Laid out and painted by the document engine (services/render/layout).
 */
export async function renderQuarterlyPdf(d: QuarterlyReportData): Promise<Buffer> {
  const ctx = serifLayout();
  const p = (l: PaperLine) => paperParagraph(FRAME, l);
  const flow = (l: PaperLine) => paragraphBoxes(p(l), ctx);
  const width = contentWidth(FRAME);
  const half = width / 2;
  const left = FRAME.left;
  const textWidth = width * 0.56;
  const rows = tableRows(d);

  const boxes: Box[] = [
    sideBySide([
      stackBox([p({ text: 'HỆ THỐNG LIÊN THÔNG VĂN BẢN', size: 11, style: 'bold', align: 'center', width: half - 60 })], ctx),
      stackBox([
        p({ text: NATIONAL_TITLE, size: 11, style: 'bold', align: 'center', x: left + half, width: half }),
        p({ text: NATIONAL_MOTTO, size: 12, style: 'bold', align: 'center', x: left + half, width: half }),
      ], ctx),
    ]),
    ...flow({ text: reportTitle(), size: 14, style: 'bold', align: 'center', before: 14 }),
    ...flow({ text: quarterTitle(d.year, d.quarter), size: 13, style: 'bold', align: 'center' }),
    ...flow({ text: coverage(d), size: 11, style: 'italic', align: 'center', before: 2 }),
    sideBySide(
      [
        stackBox([
          p({ text: 'I. KẾT QUẢ TOÀN TỈNH', size: 12, style: 'bold', width: textWidth }),
          ...summaryLines(d).map((text, i) => p({ text, size: 11, width: textWidth, before: i === 0 ? 3 : 2 })),
        ], ctx),
        rateChartBox({ x: left + textWidth + 24, width: width - textWidth - 24, height: 185 }, d.months, d.target, ctx),
      ],
      10,
    ),
    ...flow({ text: 'II. KẾT QUẢ THEO CƠ QUAN', size: 12, style: 'bold', before: 12, keepWithNext: true }),
    ...reportTable(COLUMNS, rows, FRAME, ctx, 4, rows.length - 1),
    ...flow({ text: DEFINITIONS, size: 9, style: 'italic', before: 8 }),
    ...(d.ledgerHead ? flow({ text: `Mốc sổ cái khi lập báo cáo: dòng #${d.ledgerHead.id}, sha256 ${d.ledgerHead.hash}`, size: 8, color: GREY, before: 4 }) : []),
    ...anchorLines(d).flatMap((text) => flow({ text, size: 8, color: GREY })),
  ];

  const pdf = await PDFDocument.create();
  const title = `${reportTitle()} ${quarterTitle(d.year, d.quarter)}`;
  pdf.setTitle(title);
  pdf.setLanguage('vi-VN');
  pdf.setCreator('Liên Thông');
  pdf.setCreationDate(d.producedAt);
  pdf.setModificationDate(d.producedAt);
  const note = `Lập lúc ${formatInstantVi(d.producedAt)} (giờ Việt Nam) · ${d.final ? 'báo cáo chính thức cả quý' : 'báo cáo đến thời điểm lập'}`;
  await printPages(pdf, boxes, FRAME, ctx, footLine(note, FRAME, ctx));
  await attachAnchors(pdf, d);
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
