import { createHmac } from 'node:crypto';
import type { Queryable } from '../../services/db/pool';
import { openSecret } from '../../services/pki/key-envelope';

/** HMAC over `timestamp.body`, so a receiver can reject replays and forgeries. */
export function signDelivery(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The agency's webhook secret, unsealed with the master key; an agency without one cannot be pushed to. */
export async function webhookSecretOf(db: Queryable, masterKey: Buffer, agencyCode: string): Promise<string> {
  const r = await db.query<{ webhook_secret_enc: string | null }>(`SELECT webhook_secret_enc FROM agencies WHERE code = $1`, [agencyCode]);
  const sealed = r.rows[0]?.webhook_secret_enc;
  if (!sealed) throw new Error(`agency ${agencyCode} has no webhook secret`);
  return openSecret(sealed, masterKey, 'webhook-secret');
}

export interface SignedPost {
  agencyCode: string;
  url: string;
  secret: string;
  /** Stable across retries: the receiver deduplicates on it. */
  deliveryId: string;
  body: string;
  contentType: string;
  attempt: number;
  timeoutMs: number;
}

/**
 * One POST with the X-LienThong-* headers, shared by document pushes and status webhooks so both
 * sign the same way. Throws on anything but 2xx; the caller's job retries with backoff.
 */
export async function postSigned(p: SignedPost): Promise<void> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await fetch(p.url, {
    method: 'POST',
    headers: {
      'content-type': p.contentType,
      'x-lienthong-delivery': p.deliveryId,
      'x-lienthong-timestamp': timestamp,
      'x-lienthong-signature': signDelivery(p.secret, timestamp, p.body),
      'x-lienthong-attempt': String(p.attempt),
    },
    body: p.body,
    signal: AbortSignal.timeout(p.timeoutMs),
  }).catch((err: Error & { cause?: { code?: string; message?: string } }) => {
    // fetch says only "fetch failed"; the cause (ECONNREFUSED, a timeout) is what an operator needs.
    throw new Error(`push to ${p.agencyCode} failed: ${err.cause?.code ?? err.cause?.message ?? err.name + ' ' + err.message}`);
  });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new Error(`push to ${p.agencyCode} answered HTTP ${res.status}`);
}
