import { addDays, isoWeekday } from './periods';

/** Monday–Friday, minus public holidays. */
export function isWorkingDay(day: string, holidays: ReadonlySet<string>): boolean {
  return isoWeekday(day) <= 5 && !holidays.has(day);
}

/** The first working day strictly after `day`. */
export function nextWorkingDay(day: string, holidays: ReadonlySet<string>): string {
  let d = addDays(day, 1);
  // Tết is the longest run of days off (about nine), so this ends within a few weeks.
  while (!isWorkingDay(d, holidays)) d = addDays(d, 1);
  return d;
}

/**
 * For each day of [from, to], the next working day after it: the acknowledgement deadline of a
 * dispatch sent that day ends with that day. Passed to SQL as two parallel arrays.
 */
export function nextWorkingDayTable(from: string, to: string, holidays: ReadonlySet<string>): { days: string[]; next: string[] } {
  const days: string[] = [];
  const next: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    days.push(d);
    next.push(nextWorkingDay(d, holidays));
  }
  return { days, next };
}
