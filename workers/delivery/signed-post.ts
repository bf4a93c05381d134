import { createHmac } from 'node:crypto';
import type { Config } from '../../services/config/config';
import type { Queryable } from '../../services/db/pool';
import { openSecret } from '../../services/pki/key-envelope';
import { PushError, pushRequest, type PushResponse, type PushTimeouts } from './push-transport';

/** HMAC over `timestamp.body`, so a receiver can reject replays and forgeries. */
export function signDelivery(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The agency's webhook secret, unsealed with the master key; an agency without one cannot be pushed to. */
export async function webhookSecretOf(db: Queryable, masterKey: Buffer, agencyCode: string): Promise<string> {
  const r = await db.query<{ webhook_secret_enc: string | null }>(`SELECT webhook_secret_enc FROM agencies WHERE code = $1`, [agencyCode]);
  const sealed = r.rows[0]?.webhook_secret_enc;
  if (!sealed) throw new PushError(`cơ quan ${agencyCode} chưa có khóa bí mật (webhook secret) cho điểm nhận`);
  return openSecret(sealed, masterKey, 'webhook-secret');
}

/** The transport rules a push follows under this configuration. */
export function pushPolicyOf(config: Config): { allowHttp: boolean; timeouts: PushTimeouts } {
  return {
    allowHttp: config.LIENTHONG_DEV_MODE,
    timeouts: {
      connectMs: config.LIENTHONG_PUSH_CONNECT_TIMEOUT_MS,
      headersMs: config.LIENTHONG_PUSH_TIMEOUT_MS,
      bodyMs: config.LIENTHONG_PUSH_BODY_TIMEOUT_MS,
    },
  };
}

export interface SignedPost {
  url: string;
  secret: string;
  /** Stable across retries: the receiver deduplicates on it. */
  deliveryId: string;
  body: string;
  contentType: string;
  attempt: number;
  allowPrivate: boolean;
  allowHttp: boolean;
  timeouts: PushTimeouts;
  /** Sent besides the X-LienThong-* ones (a relay names the sending hub: X-LienThong-Hub; a status webhook carries X-LienThong-Receipt). */
  headers?: Record<string, string> | undefined;
}

/**
 * One POST with the X-LienThong-* headers, shared by document pushes and status webhooks so both
 * sign and send the same way (push-transport.ts: no redirects, checked addresses, capped answer).
 * Resolves with the 2xx response; anything else rejects with PushError (its HTTP status when one
 * came), and the caller's job retries with backoff.
 */
export async function postSigned(p: SignedPost): Promise<PushResponse> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await pushRequest({
    url: p.url,
    headers: {
      ...p.headers,
      'content-type': p.contentType,
      'x-lienthong-delivery': p.deliveryId,
      'x-lienthong-timestamp': timestamp,
      'x-lienthong-signature': signDelivery(p.secret, timestamp, p.body),
      'x-lienthong-attempt': String(p.attempt),
    },
    body: p.body,
    allowPrivate: p.allowPrivate,
    allowHttp: p.allowHttp,
    timeouts: p.timeouts,
  });
  if (res.status < 200 || res.status > 299) {
    const said = res.body.subarray(0, 200).toString('utf8').replace(/\s+/g, ' ').trim();
    const wait = res.status === 429 || res.status === 503 ? retryAfterMs(res.retryAfter) : null;
    const asked = wait === null ? '' : ` (yêu cầu thử lại sau ${Math.ceil(wait / 1000)} giây)`;
    throw new PushError(`điểm nhận trả lời HTTP ${res.status}${said ? `: ${said}` : ''}${asked}`, res.status, wait);
  }
  return res;
}

/**
 * Retry-After as a wait in ms: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); a date in the
 * past is no wait; anything unreadable is ignored (null).
 */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  const v = value?.trim();
  if (!v) return null;
  if (/^\d+$/.test(v)) return Math.min(Number(v), 10 * 365 * 86_400) * 1000;
  if (!/[a-z]/i.test(v)) return null;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}
