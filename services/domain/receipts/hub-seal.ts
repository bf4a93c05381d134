import { randomUUID, X509Certificate } from 'node:crypto';
import type { Queryable } from '../../db/pool';
import { issueAgencyCertificate } from '../../pki/dev-ca';
import { openPrivateKey, sealPrivateKey } from '../../pki/key-envelope';
import { loadSigningIdentity, type SigningIdentity } from '../../signing/pades-signer';
import { DEV_CRL_PATH, DEV_OCSP_PATH, devRevocationBaseUrl, openDevCa } from '../pki/dev-pki';

/** The hub's name on its seal certificate (the receipts' and evidence bundles' signer). */
export const HUB_SEAL_CODE = 'LIENTHONG.HUB';
export const HUB_SEAL_NAME = 'Liên Thông — con dấu hệ thống';

export class NoHubSealError extends Error {
  constructor() {
    super('Liên Thông has no seal certificate: outside dev mode import one with `lienthong pki hub-seal import --cert C.pem --key K.pem [--chain CA.pem]`.');
  }
}

interface StoredSeal {
  cert_pem: string;
  chain_pem: string[];
  key_sealed: string;
}

async function currentSeal(db: Queryable): Promise<StoredSeal | undefined> {
  const r = await db.query<StoredSeal>(
    `SELECT cert_pem, chain_pem, key_sealed FROM hub_seal_certificates
      WHERE not_before <= now() AND not_after > now() ORDER BY not_before DESC, created_at DESC LIMIT 1`,
  );
  return r.rows[0];
}

/** Stores a seal certificate with its key sealed under the master key; returns its id. */
export async function addHubSeal(db: Queryable, masterKey: Buffer, certPem: string, keyPem: string, chainPem: string[]): Promise<string> {
  loadSigningIdentity(keyPem, certPem, chainPem); // refuses a key that does not match, or unreadable PEM
  const x = new X509Certificate(certPem);
  const id = randomUUID();
  await db.query(
    `INSERT INTO hub_seal_certificates (id, cert_pem, chain_pem, key_sealed, not_before, not_after) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, certPem, chainPem, sealPrivateKey(keyPem, masterKey), new Date(x.validFrom), new Date(x.validTo)],
  );
  return id;
}

/**
 * The hub's signing identity. In dev mode a seal certificate is issued by the development CA the
 * first time it is needed (like an agency's); otherwise it must have been imported.
 */
export async function hubSealIdentity(db: Queryable, masterKey: Buffer, devMode: boolean): Promise<SigningIdentity> {
  let seal = await currentSeal(db);
  if (!seal) {
    if (!devMode) throw new NoHubSealError();
    const ca = await openDevCa(db, masterKey, devMode);
    const base = devRevocationBaseUrl().replace(/\/$/, '');
    const issued = issueAgencyCertificate(ca, { agencyCode: HUB_SEAL_CODE, agencyName: HUB_SEAL_NAME }, {
      revocation: { crlUrl: `${base}${DEV_CRL_PATH}`, ocspUrl: `${base}${DEV_OCSP_PATH}` },
    });
    // Two processes may race here: both certificates are valid; the newest is used from then on.
    await addHubSeal(db, masterKey, issued.certPem, issued.keyPem, [ca.certPem]);
    seal = (await currentSeal(db))!;
  }
  return loadSigningIdentity(openPrivateKey(seal.key_sealed, masterKey), seal.cert_pem, seal.chain_pem);
}
