import type { Db } from '../../services/db/pool';
import { openPrivateKey } from '../../services/pki/key-envelope';
import { loadSigningIdentity, signPdf } from '../../services/signing/pades-signer';
import { testEnv } from './test-env';

/**
 * Signs a PDF in the test process with an agency's newest development certificate (as that
 * agency's own system would before forwarding it), so tests can submit PDFs that arrive signed
 * by a signer of their choosing.
 */
export async function signAsAgency(db: Db, agencyCode: string, pdf: Buffer): Promise<Buffer> {
  const r = await db.query<{ cert_pem: string; chain_pem: string[]; key_sealed: string }>(
    'SELECT cert_pem, chain_pem, key_sealed FROM agency_certificates WHERE agency_code = $1 ORDER BY not_before DESC LIMIT 1',
    [agencyCode],
  );
  const row = r.rows[0];
  if (!row) throw new Error(`agency ${agencyCode} has no certificate`);
  const key = openPrivateKey(row.key_sealed, Buffer.from(testEnv().masterKeyHex, 'hex'));
  return signPdf(pdf, loadSigningIdentity(key, row.cert_pem, row.chain_pem), { signingTime: new Date() });
}
