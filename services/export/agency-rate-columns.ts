import type { EdocRateGroup } from '../../contracts';
import type { ExportColumn } from './table-export';

const pct = (r: number | null): number | null => (r === null ? null : Math.round(r * 10000) / 100);

/** The monitor's agency table as exported: the figures on the page, percentages as numbers. */
export const AGENCY_RATE_COLUMNS: ExportColumn<EdocRateGroup>[] = [
  { header: 'Mã định danh', width: 20, value: (g) => g.key },
  { header: 'Cơ quan', width: 40, value: (g) => g.name ?? g.key },
  { header: 'Tổng văn bản đi', width: 12, value: (g) => g.total },
  { header: 'Điện tử', width: 10, value: (g) => g.electronic },
  { header: 'Giấy', width: 10, value: (g) => g.paper },
  { header: 'Hỗn hợp', width: 10, value: (g) => g.mixed },
  { header: 'Tỷ lệ văn bản điện tử (%)', width: 14, value: (g) => pct(g.rate) },
  { header: 'Tỷ lệ bản gửi điện tử (%)', width: 14, value: (g) => pct(g.dispatchRate) },
  { header: 'Chỉ tiêu (%)', width: 10, value: (g) => pct(g.target) },
  { header: 'Đạt chỉ tiêu', width: 10, value: (g) => (g.onTrack === null ? null : g.onTrack ? 'Đạt' : 'Chưa đạt') },
];
