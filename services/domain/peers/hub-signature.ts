import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { DomainError } from '../errors/domain-error';
import { findPeer, peerSecret, type PeerHub } from './peer.repository';

/** The header naming the sending hub; the rest is the push scheme (X-LienThong-Timestamp, -Signature). */
export const HUB_HEADER = 'x-lienthong-hub';

/** How far a relay's timestamp may be from this hub's clock (replays of old requests are refused). */
const SKEW_S = 300;

function unauthenticated(message: string): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, message);
}

/**
 * A request from a peer hub: `X-LienThong-Hub` names a registered peer, and
 * `X-LienThong-Signature: sha256=<HMAC-SHA256 of "<X-LienThong-Timestamp>.<body>">` under the secret
 * both hubs share, with a timestamp within five minutes. Resolves with the peer; 401 otherwise
 * (one sentence, never telling which part failed beyond what the caller sent).
 */
export async function authenticatePeer(db: Queryable, masterKey: Buffer, headers: Record<string, string | string[] | undefined>, body: Buffer, now = Date.now()): Promise<PeerHub> {
  const id = String(headers[HUB_HEADER] ?? '');
  const peer = /^[0-9A-Z.]{1,35}$/.test(id) ? await findPeer(db, id) : undefined;
  if (!peer) throw unauthenticated(`Liên thông ${id.slice(0, 40)} chưa được đăng ký ở đây (lienthong peer add).`);
  const timestamp = String(headers['x-lienthong-timestamp'] ?? '');
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > SKEW_S) {
    throw unauthenticated('X-LienThong-Timestamp thiếu hoặc lệch quá 5 phút so với đồng hồ của liên thông nhận.');
  }
  const expected = Buffer.from('sha256=' + createHmac('sha256', peerSecret(peer, masterKey)).update(`${timestamp}.`).update(body).digest('hex'));
  const given = Buffer.from(String(headers['x-lienthong-signature'] ?? ''));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw unauthenticated(`Chữ ký X-LienThong-Signature không khớp khóa bí mật chung với liên thông ${peer.id}.`);
  }
  return peer;
}
