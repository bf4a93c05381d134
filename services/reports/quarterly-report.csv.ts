import type { EdocRateCounts } from '../../contracts';
import type { QuarterlyReportData } from './quarterly-report.data';

export const PROVINCE_ROW_CODE = 'province';

const HEADER = [
  'Mã định danh',
  'Cơ quan',
  'Tổng số văn bản đi',
  'Điện tử',
  'Giấy',
  'Hỗn hợp',
  'Tỷ lệ văn bản điện tử',
  'Số bản gửi',
  'Bản gửi điện tử',
  'Tỷ lệ bản gửi điện tử',
  'Chỉ tiêu',
  'Đạt chỉ tiêu',
  'Bản nhận đến hạn tiếp nhận',
  'Đã tiếp nhận',
  'Tiếp nhận đúng hạn',
  'Tỷ lệ tiếp nhận đúng hạn',
  'Bản nhận có hạn xử lý',
  'Đã hoàn thành',
  'Hoàn thành đúng hạn',
  'Tỷ lệ hoàn thành đúng hạn',
  'Văn bản chưa tính (đang gửi)',
];

/**
 * One row per agency and a last row for the province. UTF-8 with a BOM (so spreadsheet programs
 * read the Vietnamese right), CRLF lines as RFC 4180 says, rates as fractions with four decimals.
 */
export function renderQuarterlyCsv(data: QuarterlyReportData): string {
  const lines = [HEADER];
  for (const a of data.agencies) lines.push(row(a.key, a.name ?? a.key, a, a.target, a.onTrack));
  lines.push(row(PROVINCE_ROW_CODE, 'Toàn tỉnh', data.province, data.target, data.province.onTrack));
  return '\ufeff' + lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function row(code: string, name: string, c: EdocRateCounts, target: number | null, onTrack: boolean | null): string[] {
  const o = c.onTime;
  return [
    code,
    name,
    String(c.total),
    String(c.electronic),
    String(c.paper),
    String(c.mixed),
    fraction(c.rate),
    String(c.dispatches),
    String(c.electronicDispatches),
    fraction(c.dispatchRate),
    fraction(target),
    onTrack === null ? '' : onTrack ? 'có' : 'không',
    String(o.dispatches),
    String(o.acknowledged),
    String(o.acknowledgedOnTime),
    fraction(o.acknowledgedOnTimeRate),
    String(o.withDueDate),
    String(o.completed),
    String(o.completedOnTime),
    fraction(o.completedOnTimeRate),
    String(c.pending),
  ];
}

function fraction(x: number | null): string {
  return x === null ? '' : x.toFixed(4);
}

/** Quotes when needed; a text cell that a spreadsheet would run as a formula is defused. */
export function csvField(value: string): string {
  const v = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
