import { createDevCa, issueAgencyCertificate } from '../../pki/dev-ca';
import { openPrivateKey, sealPrivateKey } from '../../pki/key-envelope';
import type { Queryable } from '../../db/pool';
import { addAgencyCertificate, devCa, saveDevCa } from './agency-certificate.repository';

export class DevModeRequiredError extends Error {
  constructor() {
    super('The development CA exists only in dev mode (LIENTHONG_DEV_MODE=1); import real agency keys with `lienthong pki import`.');
  }
}

/** Creates the development CA once, in explicit dev mode only; returns its certificate. */
export async function ensureDevCa(db: Queryable, masterKey: Buffer, devMode: boolean): Promise<string> {
  const existing = await devCa(db);
  if (existing) return existing.certPem;
  if (!devMode) throw new DevModeRequiredError();
  const ca = createDevCa();
  await saveDevCa(db, ca.certPem, sealPrivateKey(ca.keyPem, masterKey));
  return (await devCa(db))!.certPem;
}

/** Issues an agency certificate from the development CA and stores its key sealed. */
export async function issueDevCertificate(
  db: Queryable,
  masterKey: Buffer,
  devMode: boolean,
  agency: { code: string; name: string },
  keyType: 'rsa' | 'ec' = 'rsa',
): Promise<string> {
  if (!devMode) throw new DevModeRequiredError();
  await ensureDevCa(db, masterKey, devMode);
  const ca = (await devCa(db))!;
  const caKey = { certPem: ca.certPem, keyPem: openPrivateKey(ca.keySealed, masterKey) };
  const issued = issueAgencyCertificate(caKey, { agencyCode: agency.code, agencyName: agency.name }, { keyType });
  return addAgencyCertificate(db, agency.code, issued.certPem, [ca.certPem], sealPrivateKey(issued.keyPem, masterKey));
}
