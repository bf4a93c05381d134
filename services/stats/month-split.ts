import { addDays } from '../calendar/vn-day';

/** Inclusive day range; empty when `from` > `to` (ISO days compare as strings). */
export interface DayRange {
  from: string;
  to: string;
}

/**
 * An inclusive range of issue days split into the whole months it covers and the days at its
 * edges: the on-time figures read whole months from figure_on_time_months (migration 0094) and
 * the edge days copy by copy. `months` is empty when the range covers no whole month; then
 * `head` holds every day and `tail` is empty.
 */
export function splitByMonths(from: string, to: string): { months: DayRange; head: DayRange; tail: DayRange } {
  const firstWhole = from.endsWith('-01') ? from : nextMonthStart(from);
  const lastWhole = addDays(monthStart(addDays(to, 1)), -1);
  const empty = { from: to, to: addDays(to, -1) };
  if (firstWhole > lastWhole) return { months: { from: firstWhole, to: addDays(firstWhole, -1) }, head: { from, to }, tail: empty };
  return {
    months: { from: firstWhole, to: lastWhole },
    head: { from, to: addDays(firstWhole, -1) },
    tail: { from: addDays(lastWhole, 1), to },
  };
}

function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

function nextMonthStart(day: string): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}
