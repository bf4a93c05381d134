import { addDays } from '../calendar/vn-day';

// The day functions live in services/calendar (a leaf the domain imports too); re-exported here for
// the statistics' many readers.
export { VN_TIME_ZONE, addDays, isRealDay, isoWeekday, vnDay, vnStartOf } from '../calendar/vn-day';

export type Quarter = 1 | 2 | 3 | 4;

export function quarterOfDay(day: string): { year: number; quarter: Quarter } {
  return { year: Number(day.slice(0, 4)), quarter: (Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1) as Quarter };
}

export function quarterBounds(year: number, quarter: Quarter): { from: string; to: string } {
  const firstMonth = (quarter - 1) * 3 + 1;
  const from = `${year}-${String(firstMonth).padStart(2, '0')}-01`;
  const next = quarter === 4 ? `${year + 1}-01-01` : `${year}-${String(firstMonth + 3).padStart(2, '0')}-01`;
  return { from, to: addDays(next, -1) };
}

export function monthKey(day: string): string {
  return day.slice(0, 7);
}

/** The first day of the day's month. */
export function monthStart(day: string): string {
  return `${monthKey(day)}-01`;
}

/** The first day of the month after the day's. */
export function nextMonthStart(day: string): string {
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

export function quarterKey(day: string): string {
  const { year, quarter } = quarterOfDay(day);
  return `${year}-Q${quarter}`;
}

/** "Q4", "q4", "4" or "IV" → 4. */
export function parseQuarter(text: string): Quarter | undefined {
  const t = text.trim().toUpperCase();
  const n = /^Q?([1-4])$/.exec(t)?.[1] ?? { I: '1', II: '2', III: '3', IV: '4' }[t];
  return n ? (Number(n) as Quarter) : undefined;
}

export function romanQuarter(q: Quarter): string {
  return ['I', 'II', 'III', 'IV'][q - 1]!;
}

export interface Period {
  key: string;
  from: string;
  to: string;
}

/** The months or quarters that meet [from, to], each clipped to it, in order. */
export function periodsBetween(from: string, to: string, unit: 'month' | 'quarter'): Period[] {
  const out: Period[] = [];
  let start = from;
  while (start <= to) {
    let end: string;
    if (unit === 'month') {
      end = addDays(nextMonthStart(start), -1);
    } else {
      const { year, quarter } = quarterOfDay(start);
      end = quarterBounds(year, quarter).to;
    }
    const clipped = end < to ? end : to;
    out.push({ key: unit === 'month' ? monthKey(start) : quarterKey(start), from: start, to: clipped });
    start = addDays(end, 1);
  }
  return out;
}
