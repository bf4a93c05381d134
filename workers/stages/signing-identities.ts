import { currentCertificate } from '../../services/domain/pki/agency-certificate.repository';
import type { Queryable } from '../../services/db/pool';
import { openPrivateKey } from '../../services/pki/key-envelope';
import { loadSigningIdentity, type SigningIdentity } from '../../services/signing/pades-signer';
import { PermanentStageError } from '../runtime/stage-context';

// Unsealing a key and parsing certificates costs more than a signature: keep them per certificate.
const cache = new Map<string, SigningIdentity>();

export async function signingIdentityOf(db: Queryable, masterKey: Buffer, agencyCode: string): Promise<SigningIdentity> {
  const cert = await currentCertificate(db, agencyCode);
  if (!cert) {
    throw new PermanentStageError(`agency ${agencyCode} has no valid signing certificate (lienthong pki import|issue)`, 'NO_CERTIFICATE');
  }
  let identity = cache.get(cert.id);
  if (!identity) {
    identity = loadSigningIdentity(openPrivateKey(cert.keySealed, masterKey), cert.certPem, cert.chainPem);
    cache.set(cert.id, identity);
  }
  return identity;
}
