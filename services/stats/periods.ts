/**
 * Calendar days as `YYYY-MM-DD` strings, in Vietnam time. Vietnam has kept UTC+7 without daylight
 * saving since 1975, so a fixed offset is exact for every date this system will see.
 */
export const VN_TIME_ZONE = 'Asia/Ho_Chi_Minh';
const VN_OFFSET_MS = 7 * 3600 * 1000;
const DAY_MS = 86_400_000;

export type Quarter = 1 | 2 | 3 | 4;

/** The calendar day it is in Vietnam at instant `t`. */
export function vnDay(t: Date): string {
  return new Date(t.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Vietnam calendar day starts. */
export function vnStartOf(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - VN_OFFSET_MS);
}

/** A well-formed day that exists (2026-02-30 does not). */
export function isRealDay(day: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === day;
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** ISO day of the week: 1 Monday … 7 Sunday. */
export function isoWeekday(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
}

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
      const [y, m] = [Number(start.slice(0, 4)), Number(start.slice(5, 7))];
      end = addDays(m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`, -1);
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
