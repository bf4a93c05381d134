import { currentCertificate, type StoredCertificate } from '../../services/domain/pki/agency-certificate.repository';
import type { Queryable } from '../../services/db/pool';
import { openPrivateKey } from '../../services/pki/key-envelope';
import { loadSigningIdentity, type SigningIdentity } from '../../services/signing/pades-signer';
import { PermanentStageError } from '../runtime/stage-context';

/**
 * Unsealing a key (the master key's decryption) and parsing certificates costs more than a
 * signature: identities are kept per certificate id. The id comes from the database with every
 * document (loadForStage), so a new certificate (rotation) or a revoked one is seen by the next
 * document; an identity is dropped TTL_MS after it was unsealed, so a decrypted key does not stay
 * in memory long after its certificate stopped signing.
 */
const TTL_MS = 5 * 60_000;
const cache = new Map<string, { identity: SigningIdentity; loadedAt: number }>();

function cached(certificateId: string, now = Date.now()): SigningIdentity | undefined {
  const hit = cache.get(certificateId);
  if (!hit) return undefined;
  if (now - hit.loadedAt <= TTL_MS) return hit.identity;
  cache.delete(certificateId);
  return undefined;
}

function unseal(cert: StoredCertificate, masterKey: Buffer): SigningIdentity {
  const identity = cached(cert.id);
  if (identity) return identity;
  const now = Date.now();
  for (const [id, entry] of cache) if (now - entry.loadedAt > TTL_MS) cache.delete(id);
  const loaded = loadSigningIdentity(openPrivateKey(cert.keySealed, masterKey), cert.certPem, cert.chainPem);
  cache.set(cert.id, { identity: loaded, loadedAt: now });
  return loaded;
}

function noCertificate(agencyCode: string): PermanentStageError {
  return new PermanentStageError(
    `cơ quan gửi ${agencyCode} chưa có chứng thư số còn hiệu lực (no valid signing certificate): lienthong pki import|issue --agency ${agencyCode}, rồi gửi lại`,
    'NO_CERTIFICATE',
  );
}

/** The agency's current signing identity (its current certificate read now). */
export async function signingIdentityOf(db: Queryable, masterKey: Buffer, agencyCode: string): Promise<SigningIdentity> {
  const cert = await currentCertificate(db, agencyCode);
  if (!cert) throw noCertificate(agencyCode);
  return unseal(cert, masterKey);
}

/**
 * The identity of `certificateId`, the agency's current certificate as the caller just read it
 * (null: it has none). Cached: no statement at all; otherwise the current certificate is read and
 * unsealed (signingIdentityOf).
 */
export async function signingIdentityFor(db: Queryable, masterKey: Buffer, agencyCode: string, certificateId: string | null): Promise<SigningIdentity> {
  if (certificateId === null) throw noCertificate(agencyCode);
  return cached(certificateId) ?? signingIdentityOf(db, masterKey, agencyCode);
}
