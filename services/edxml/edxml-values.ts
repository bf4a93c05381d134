import { AGENCY_CODE_PATTERN } from '../../contracts/http';
import { EdxmlError } from './edxml-types';

const VN_OFFSET_MS = 7 * 3600 * 1000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** 'yyyy/MM/dd', 'dd/MM/yyyy' or 'yyyy-MM-dd' (a trailing time is ignored) → 'YYYY-MM-DD'. */
export function parseEdxmlDate(raw: string, element: string): string {
  const s = raw.trim();
  let m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T].*)?$/.exec(s);
  let ymd: [number, number, number] | undefined = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
  if (!ymd) {
    m = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:[ T].*)?$/.exec(s);
    if (m) ymd = [Number(m[3]), Number(m[2]), Number(m[1])];
  }
  if (!ymd || !validDate(...ymd)) {
    throw new EdxmlError('EDXML_INVALID_VALUE', `"${s.slice(0, 40)}" is not a date (expected yyyy/MM/dd or dd/MM/yyyy)`, element);
  }
  return `${ymd[0]}-${pad(ymd[1])}-${pad(ymd[2])}`;
}

/** 'YYYY-MM-DD' → 'yyyy/MM/dd' as the samples write it. */
export function formatEdxmlDate(date: string, element = 'date'): string {
  return parseEdxmlDate(date, element).replace(/-/g, '/');
}

/**
 * Timestamps: 'yyyy/MM/dd HH:mm:ss' (the samples), 'dd/MM/yyyy HH:mm:ss', or ISO 8601. Without a
 * zone the time is Vietnam time. Result: 'YYYY-MM-DDTHH:mm:ss+07:00' (seconds precision).
 */
export function parseEdxmlTimestamp(raw: string, element: string): string {
  const s = raw.trim();
  const time = '(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\.\\d+)?)?\\s*(Z|[+-]\\d{2}:?\\d{2})?';
  let m = new RegExp(`^(\\d{4})[/-](\\d{1,2})[/-](\\d{1,2})${time}$`).exec(s);
  let parts: number[] | undefined;
  if (m) parts = [m[1], m[2], m[3]].map(Number);
  else {
    m = new RegExp(`^(\\d{1,2})[/-](\\d{1,2})[/-](\\d{4})${time}$`).exec(s);
    if (m) parts = [m[3], m[2], m[1]].map(Number);
  }
  const [y, mo, d] = parts ?? [];
  const [h, mi, se] = [m?.[4], m?.[5], m?.[6]].map((v) => Number(v ?? 0));
  if (!m || y === undefined || mo === undefined || d === undefined || !validDate(y, mo, d) || h! > 23 || mi! > 59 || se! > 59) {
    throw new EdxmlError('EDXML_INVALID_VALUE', `"${s.slice(0, 40)}" is not a timestamp (expected yyyy/MM/dd HH:mm:ss)`, element);
  }
  const zone = m[7];
  const offsetMs = !zone ? VN_OFFSET_MS : zone === 'Z' ? 0 : zoneMs(zone);
  const utc = Date.UTC(y, mo - 1, d, h!, mi!, se!) - offsetMs;
  return isoVietnam(utc);
}

function zoneMs(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2)) * 60) * 1000;
}

function vnParts(utcMs: number): string[] {
  const v = new Date(utcMs + VN_OFFSET_MS);
  return [pad(v.getUTCFullYear(), 4), pad(v.getUTCMonth() + 1), pad(v.getUTCDate()), pad(v.getUTCHours()), pad(v.getUTCMinutes()), pad(v.getUTCSeconds())];
}

function isoVietnam(utcMs: number): string {
  const [y, mo, d, h, mi, s] = vnParts(utcMs);
  return `${y}-${mo}-${d}T${h}:${mi}:${s}+07:00`;
}

/** Any timestamp parseEdxmlTimestamp accepts → 'yyyy/MM/dd HH:mm:ss' in Vietnam time. */
export function formatEdxmlTimestamp(iso: string, element = 'Timestamp'): string {
  const canonical = parseEdxmlTimestamp(iso, element);
  const [date, time] = canonical.slice(0, 19).split('T');
  return `${date!.replace(/-/g, '/')} ${time}`;
}

/** A Date → the canonical ISO form used in parsed messages. */
export function edxmlTimestampOf(date: Date): string {
  return isoVietnam(Math.floor(date.getTime() / 1000) * 1000);
}

export function checkOrganId(value: string, element: string): string {
  if (!AGENCY_CODE_PATTERN.test(value)) {
    throw new EdxmlError('EDXML_INVALID_VALUE', `"${value.slice(0, 40)}" is not an agency code (0-9, A-Z and dots, at most 35)`, element);
  }
  return value;
}

/** Drops undefined properties so parsed objects compare and serialise cleanly. */
export function compact<T extends object>(obj: T): T {
  for (const k of Object.keys(obj) as (keyof T)[]) if (obj[k] === undefined) delete obj[k];
  return obj;
}
