import { createHmac, timingSafeEqual } from 'node:crypto';

export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

export type PushVerification =
  | { ok: true; deliveryId: string; timestamp: number; attempt: number }
  | { ok: false; reason: 'missing-headers' | 'bad-signature' | 'stale-timestamp'; message: string };

function header(h: HeaderBag, name: string): string | undefined {
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name) ?? undefined;
  const bag = h as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : bag[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * For an agency's receiver: checks a push from Liên Thông. `body` must be the raw bytes (or the
 * exact string) received, before any parsing. The signature is `sha256=<hex HMAC-SHA256 of
 * "<timestamp>.<body>">` under the agency's secret, compared in constant time; a timestamp more
 * than `toleranceSeconds` (300) away from now is refused, so a captured delivery cannot be
 * replayed later. Answer 401 when `ok` is false; deduplicate on `deliveryId` when it is true.
 */
export function verifyPushSignature(
  headers: HeaderBag,
  body: string | Uint8Array,
  secret: string,
  opts: { toleranceSeconds?: number; now?: Date } = {},
): PushVerification {
  const deliveryId = header(headers, 'x-lienthong-delivery');
  const ts = header(headers, 'x-lienthong-timestamp');
  const signature = header(headers, 'x-lienthong-signature');
  if (!deliveryId || !ts || !signature || !/^\d+$/.test(ts)) {
    return { ok: false, reason: 'missing-headers', message: 'thiếu tiêu đề X-LienThong-Delivery, -Timestamp hoặc -Signature' };
  }
  const mac = createHmac('sha256', secret).update(`${ts}.`);
  mac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  const expected = Buffer.from(`sha256=${mac.digest('hex')}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad-signature', message: 'chữ ký không đúng' };
  }
  const now = (opts.now ?? new Date()).getTime() / 1000;
  if (Math.abs(now - Number(ts)) > (opts.toleranceSeconds ?? 300)) {
    return { ok: false, reason: 'stale-timestamp', message: 'dấu thời gian quá cũ hoặc ở tương lai' };
  }
  return { ok: true, deliveryId, timestamp: Number(ts), attempt: Number(header(headers, 'x-lienthong-attempt') ?? 1) };
}
