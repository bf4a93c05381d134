import type { OnTimeFigures } from '../../contracts';
import { romanQuarter, type Quarter } from '../stats/periods';

export { formatDayVi, formatInstantVi } from '../calendar/vn-day';

/** Vietnamese number forms, written out rather than left to the ICU data a runtime happens to ship. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** 0.66667 → "66,67%"; null (nothing to divide) → "–". */
export function formatPercent(rate: number | null): string {
  if (rate === null) return '–';
  return `${(rate * 100).toFixed(2).replace('.', ',')}%`;
}

export function reportTitle(): string {
  return 'BÁO CÁO KẾT QUẢ TRAO ĐỔI VĂN BẢN ĐIỆN TỬ';
}

export function quarterTitle(year: number, quarter: Quarter): string {
  return `QUÝ ${romanQuarter(quarter)} NĂM ${year}`;
}

export function onTrackText(onTrack: boolean | null): string {
  return onTrack === null ? '–' : onTrack ? 'Đạt' : 'Chưa đạt';
}

/** "3/4 (75,00%)" */
export function fractionText(n: number, d: number, rate: number | null): string {
  return d === 0 ? '–' : `${formatCount(n)}/${formatCount(d)} (${formatPercent(rate)})`;
}

export function acknowledgementText(o: OnTimeFigures): string {
  return fractionText(o.acknowledgedOnTime, o.dispatches, o.acknowledgedOnTimeRate);
}

export function completionText(o: OnTimeFigures): string {
  return fractionText(o.completedOnTime, o.withDueDate, o.completedOnTimeRate);
}
