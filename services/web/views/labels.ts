import { DOCUMENT_TYPES, type DispatchStatus, type Urgency } from '../../../contracts';

/** Stable status keys (contracts/statuses.ts) as clerks read them. */
export const DISPATCH_STATUS_LABELS: Record<DispatchStatus, string> = {
  pending: 'Đang chuyển',
  delivering: 'Đang gửi',
  delivered: 'Đã đến',
  paper: 'Gửi giấy',
  failed: 'Gửi lỗi',
  refused: 'Từ chối',
  accepted: 'Tiếp nhận',
  assigned: 'Phân công',
  processing: 'Đang xử lý',
  completed: 'Hoàn thành',
  revoked: 'Thu hồi',
};

export const EVENT_CODE_LABELS: Record<string, string> = {
  '01': 'Đã đến',
  '02': 'Từ chối',
  '03': 'Tiếp nhận',
  '04': 'Phân công',
  '05': 'Đang xử lý',
  '06': 'Hoàn thành',
  '13': 'Lấy lại / thu hồi',
  '15': 'Đồng ý lấy lại',
  '16': 'Không đồng ý lấy lại',
  retry: 'Gửi lại',
};

export const DOCUMENT_STATUS_LABELS: Record<string, string> = {
  accepted: 'Đã nhận, đang xử lý',
  converted: 'Đã chuyển định dạng',
  signed: 'Đã ký số',
  routed: 'Đã gửi',
  failed: 'Lỗi',
  revoked: 'Đã thu hồi',
  replaced: 'Đã thay thế',
};

export const URGENCY_LABELS: Record<Urgency, string> = {
  normal: 'Thường',
  urgent: 'Khẩn',
  very_urgent: 'Thượng khẩn',
  flash: 'Hỏa tốc',
};

export const CHANNEL_LABELS: Record<string, string> = { hosted: 'Hộp thư Liên Thông', push: 'Hệ thống cơ quan', paper: 'Giấy' };

export function statusLabel(s: string): string {
  return (DISPATCH_STATUS_LABELS as Record<string, string>)[s] ?? s;
}

export function urgencyLabel(u: string): string {
  return (URGENCY_LABELS as Record<string, string>)[u] ?? u;
}

export function documentTypeLabel(code: string): string {
  return (DOCUMENT_TYPES as Record<string, string>)[code] ?? code;
}

/** 2026-03-05 → 05/03/2026, as Vietnamese documents write dates. */
export function dayVi(day: string | null | undefined): string {
  if (!day) return '';
  const [y, m, d] = day.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

export function instantVi(t: Date | string | null | undefined): string {
  if (!t) return '';
  const d = new Date(t);
  return new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'short' }).format(d);
}

export function percentVi(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  return `${(rate * 100).toLocaleString('vi-VN', { maximumFractionDigits: 1 })}%`;
}
