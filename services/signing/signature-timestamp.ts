import { createHash } from 'node:crypto';
import { requestTimestamp } from './tsa-client';
import { TimestampUnavailableError } from './tsa-errors';
import { readTimestampToken } from './timestamp-token';

// The B-T step: between signing the attributes and writing the CMS, a TSA timestamps the
// signature value (ETSI EN 319 122-1 §5.3, id-aa-signatureTimeStampToken).

export interface TimestampOptions {
  /** RFC 3161 over HTTP (LIENTHONG_TSA_URL). */
  url: string;
  timeoutMs?: number;
  /**
   * When the TSA gives nothing usable: 'retry' (default) throws TimestampUnavailableError, which
   * the sign job retries; 'bb' signs without a timestamp and reports it (LIENTHONG_TSA_POLICY).
   */
  whenUnavailable?: 'retry' | 'bb';
}

/** Returns an RFC 3161 TimeStampToken (DER) over SHA-256 of the signature value it is given. */
export type Timestamper = (signatureValue: Buffer) => Promise<Buffer>;

interface Stamped {
  token: Buffer | null;
  error?: string;
}

/** A token that does not cover this signature value is a TSA fault, handled like an outage. */
function assertCovers(token: Buffer, signatureValue: Buffer, source: string): void {
  let ok = false;
  try {
    const { tstInfo } = readTimestampToken(token);
    ok = !!tstInfo.imprintAlgorithm && createHash(tstInfo.imprintAlgorithm).update(signatureValue).digest().equals(tstInfo.imprint);
  } catch {
    ok = false;
  }
  if (!ok) throw new TimestampUnavailableError(source, 'the token does not cover this signature value');
}

export async function obtainTimestamp(
  signatureValue: Buffer,
  opts: { timestamp?: TimestampOptions; timestamper?: Timestamper },
): Promise<Stamped> {
  const { timestamp, timestamper } = opts;
  if (!timestamp && !timestamper) return { token: null };
  const source = timestamp?.url ?? 'timestamper';
  try {
    const token = timestamper
      ? await timestamper(signatureValue)
      : await requestTimestamp(source, createHash('sha256').update(signatureValue).digest(), {
          ...(timestamp?.timeoutMs !== undefined ? { timeoutMs: timestamp.timeoutMs } : {}),
        });
    assertCovers(token, signatureValue, source);
    return { token };
  } catch (err) {
    const unavailable = err instanceof TimestampUnavailableError ? err : new TimestampUnavailableError(source, (err as Error).message);
    if ((timestamp?.whenUnavailable ?? 'retry') === 'bb') return { token: null, error: unavailable.message };
    throw unavailable;
  }
}

/** The sign stage's timestamp options from the configuration; undefined (B-B) when no TSA is set. */
export function timestampOptionsFromConfig(config: {
  LIENTHONG_TSA_URL?: string | undefined;
  LIENTHONG_TSA_POLICY: 'retry' | 'bb';
  LIENTHONG_TSA_TIMEOUT_MS: number;
}): TimestampOptions | undefined {
  if (!config.LIENTHONG_TSA_URL) return undefined;
  return { url: config.LIENTHONG_TSA_URL, timeoutMs: config.LIENTHONG_TSA_TIMEOUT_MS, whenUnavailable: config.LIENTHONG_TSA_POLICY };
}
