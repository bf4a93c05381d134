import { DOCUMENT_TYPES, type DispatchStatus, type Urgency } from '../../contracts';

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
  paper: 'Chuyển sang gửi bản giấy',
  failed: 'Gửi không thành công',
};

/** Who acted, as a person reads it: never "user:…" or "lienthong". */
export function actorLabel(actor: string | null | undefined): string {
  if (!actor) return '';
  if (actor === 'lienthong' || actor === 'system') return 'hệ thống Liên Thông';
  if (actor.startsWith('user:')) return actor.slice(5);
  if (actor.startsWith('key:') || actor.startsWith('apikey:')) return 'hệ thống của cơ quan';
  if (actor.startsWith('operator:') || actor.startsWith('cli')) return 'quản trị hệ thống';
  return actor;
}

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

export const CHANNEL_LABELS: Record<string, string> = { hosted: 'Hộp thư Liên Thông', push: 'Hệ thống cơ quan', paper: 'Giấy', relay: 'Qua hub ngang hàng', axis: 'Qua trục liên thông quốc gia' };

/** A push attempt's outcome (contracts PUSH_ATTEMPT_OUTCOMES), as the sender's clerk reads it. */
export const ATTEMPT_OUTCOME_LABELS: Record<string, string> = { started: 'Đang gửi', delivered: 'Đã nhận', failed: 'Lỗi', interrupted: 'Bị gián đoạn' };

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

const VN_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** An instant in Vietnam time as people write it: 05/12/2026 14:03 (dd/MM/yyyy HH:mm, 4-digit year). */
export function instantVi(t: Date | string | null | undefined): string {
  if (!t) return '';
  const parts = Object.fromEntries(VN_PARTS.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

const VN_PARTS_SECONDS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** instantVi with the seconds (05/12/2026 14:03:27): push attempts may follow each other within a minute. */
export function instantSecondsVi(t: Date | string | null | undefined): string {
  if (!t) return '';
  const parts = Object.fromEntries(VN_PARTS_SECONDS.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Vietnamese alphabetical order for lists sorted in Node (a ă â b c d đ e ê …). */
export const VI_COLLATOR = new Intl.Collator('vi-VN', { sensitivity: 'base', numeric: true });

export function percentVi(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  return `${(rate * 100).toLocaleString('vi-VN', { maximumFractionDigits: 1 })}%`;
}

/** Where a directory agency is reached (issue 22): here, through a peer hub (named), or through the national axis. */
export function reachedViaLabel(a: { reachedVia: 'local' | 'peer' | 'axis'; peerId: string | null }): string {
  if (a.reachedVia === 'peer') return `Qua hub ngang hàng ${a.peerId ?? ''}`.trim();
  if (a.reachedVia === 'axis') return 'Qua trục liên thông quốc gia';
  return 'Tại hệ thống này';
}
