import { addDays } from '../calendar/vn-day';
import { monthStart, nextMonthStart } from './periods';

/** Inclusive day range; empty when `from` > `to` (ISO days compare as strings). */
export interface DayRange {
  from: string;
  to: string;
}

/**
 * An inclusive range of issue days split into the whole months it covers and the days at its
 * edges: the on-time figures read whole months from figure_on_time_months (migration 0094) and
 * the edge days copy by copy. `head` holds the days before the first whole month (within the
 * range's first month), `tail` those after the last (within its last month); either may be empty,
 * and so may `months` (a range inside one month is all `head`).
 */
export function splitByMonths(from: string, to: string): { months: DayRange; head: DayRange; tail: DayRange } {
  const firstWhole = from.endsWith('-01') ? from : nextMonthStart(from);
  const lastWhole = addDays(monthStart(addDays(to, 1)), -1);
  const before = addDays(firstWhole, -1);
  const after = addDays(lastWhole, 1);
  return {
    months: { from: firstWhole, to: lastWhole },
    head: { from, to: to < before ? to : before },
    tail: { from: [from, after, firstWhole].sort().at(-1)!, to },
  };
}
