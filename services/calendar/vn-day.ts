/**
 * Calendar days as `YYYY-MM-DD` strings, in Vietnam time, and their Vietnamese spelling. Vietnam has
 * kept UTC+7 without daylight saving since 1975, so a fixed offset is exact for every date this
 * system will see. A leaf: the domain, the statistics and the reports all count days with it.
 */
export const VN_TIME_ZONE = 'Asia/Ho_Chi_Minh';
const VN_OFFSET_MS = 7 * 3600 * 1000;
const DAY_MS = 86_400_000;

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

/** "2026-10-05" → "05/10/2026". */
export function formatDayVi(day: string): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
}

/** An instant in Vietnam time: "28/11/2026 13:30". */
export function formatInstantVi(t: Date): string {
  const vn = new Date(t.getTime() + VN_OFFSET_MS).toISOString();
  return `${formatDayVi(vn.slice(0, 10))} ${vn.slice(11, 16)}`;
}
