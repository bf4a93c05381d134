import { createHash, randomBytes } from 'node:crypto';
import { DigestName } from '../asn1/oids';
import { readTimestampToken } from './timestamp-token';
import { TimestampUnavailableError } from './tsa-errors';
import { decodeTimestampResponse, encodeTimestampRequest, PkiStatus } from './tsa-messages';

export interface TimestampRequestOptions {
  /** Whole request budget, connection included. */
  timeoutMs?: number;
  hashAlgorithm?: DigestName;
  /** Ask for a specific TSA policy (OID); absent lets the TSA choose. */
  policy?: string;
}

export const DEFAULT_TSA_TIMEOUT_MS = 10_000;
const MAX_REPLY_BYTES = 256 * 1024;

/**
 * Asks an RFC 3161 TSA over HTTP to timestamp `digest` and returns the TimeStampToken (DER
 * ContentInfo). Everything that goes wrong — network, timeout, HTTP status, a refusal, a token
 * for other data or another nonce — becomes a TimestampUnavailableError.
 */
export async function requestTimestamp(url: string, digest: Buffer, opts: TimestampRequestOptions = {}): Promise<Buffer> {
  const hash = opts.hashAlgorithm ?? 'sha256';
  if (digest.length !== createHash(hash).digest().length) throw new RangeError(`a ${hash} digest must be ${createHash(hash).digest().length} bytes`);
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0] ?? 0) & 0x7f || 0x01; // positive, no leading zero byte, so the echo compares byte for byte
  const body = encodeTimestampRequest(digest, hash, nonce, opts.policy);

  let reply: Buffer;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TSA_TIMEOUT_MS),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    if (!/^application\/timestamp-reply\b/i.test(res.headers.get('content-type') ?? '')) throw new Error(`unexpected content type ${res.headers.get('content-type') ?? '(none)'}`);
    reply = Buffer.from(await res.arrayBuffer());
    if (reply.length > MAX_REPLY_BYTES) throw new Error('the reply is too large');
  } catch (err) {
    const e = err as Error;
    const reason = e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs ?? DEFAULT_TSA_TIMEOUT_MS} ms` : (e.cause as Error | undefined)?.message ?? e.message;
    throw new TimestampUnavailableError(url, reason);
  }
  return checkedToken(url, reply, digest, nonce);
}

function checkedToken(url: string, reply: Buffer, digest: Buffer, nonce: Buffer): Buffer {
  try {
    const response = decodeTimestampResponse(reply);
    if (response.status !== PkiStatus.granted && response.status !== PkiStatus.grantedWithMods) {
      throw new Error(`refused (status ${response.status}${response.statusText ? `: ${response.statusText}` : ''})`);
    }
    if (!response.token) throw new Error('granted but no token');
    const { tstInfo } = readTimestampToken(response.token);
    if (!tstInfo.imprint.equals(digest)) throw new Error('the token covers other data');
    if (!tstInfo.nonce?.equals(nonce)) throw new Error('the token does not echo our nonce (a replayed answer?)');
    return response.token;
  } catch (err) {
    if (err instanceof TimestampUnavailableError) throw err;
    throw new TimestampUnavailableError(url, (err as Error).message);
  }
}
