import { DOCUMENT_TYPES, type DocumentType } from '../../../contracts/document-types';
import type { Urgency } from '../../../contracts/statuses';

/** Vietnamese capitals: "Ủy ban" → "ỦY BAN", "đ" → "Đ". */
export function upper(text: string): string {
  return text.toLocaleUpperCase('vi-VN');
}

/**
 * "Đắk Lắk, ngày 05 tháng 3 năm 2012". Decree 30/2020 annex I: days below 10 and the months
 * January and February take a leading zero (so "tháng 01", "tháng 02", but "tháng 3").
 */
export function placeAndDate(place: string, isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  const day = Number(m?.[3]);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (!m || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) throw new Error(`not a calendar date: ${isoDate}`);
  const dd = String(day).padStart(2, '0');
  const mm = month <= 2 ? String(month).padStart(2, '0') : String(month);
  return `${place}, ngày ${dd} tháng ${mm} năm ${year}`;
}

export function typeName(code: DocumentType): string {
  return upper(DOCUMENT_TYPES[code]);
}

/** Công văn carries its subject as "V/v …" under the number instead of a type name. */
export function isCongVan(code: DocumentType): boolean {
  return code === 'CV';
}

export function urgencyMark(urgency: Urgency | undefined): string | null {
  switch (urgency) {
    case 'urgent':
      return 'KHẨN';
    case 'very_urgent':
      return 'THƯỢNG KHẨN';
    case 'flash':
      return 'HỎA TỐC';
    case 'normal':
    case undefined:
      return null;
    default: {
      const never: never = urgency;
      throw new Error(`unknown urgency ${String(never)}`);
    }
  }
}

const ADMINISTRATIVE_UNIT = /\s+(?:tỉnh|thành phố|huyện|quận|thị xã|thị trấn|xã|phường)\s+\S.*$/iu;

/** "Ủy ban nhân dân tỉnh Đắk Lắk" → "Ủy ban nhân dân": the body without its place. */
export function agencyKind(agencyName: string): string {
  const kind = agencyName.replace(ADMINISTRATIVE_UNIT, '').trim();
  return kind === '' ? agencyName.trim() : kind;
}

/**
 * The line above the signer's position. "TM." (on behalf of a collective body) names the body:
 * "TM. ỦY BAN NHÂN DÂN". "KT." (signing for the head) names the head, which for a deputy is the
 * position without "PHÓ": "KT. CHỦ TỊCH" over "PHÓ CHỦ TỊCH". Other abbreviations (TL., TUQ., Q.)
 * fall back to the body's name; an authority already written out in full is printed as given.
 */
export function authorityLine(authority: string | undefined, position: string, agencyName: string): string | null {
  const a = authority?.trim();
  if (!a) return null;
  if (/\s/.test(a)) return upper(a);
  const pos = upper(position.trim());
  if (upper(a) === 'KT.' && pos.startsWith('PHÓ ')) return `KT. ${pos.slice(4).trim()}`;
  return `${upper(a)} ${upper(agencyKind(agencyName))}`;
}
