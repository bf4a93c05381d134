import { createDevCa, issueAgencyCertificate, type KeyAndCert } from '../../pki/dev-ca';
import { openPrivateKey, sealPrivateKey } from '../../pki/key-envelope';
import type { Queryable } from '../../db/pool';
import { addAgencyCertificate, devCa, saveDevCa } from './agency-certificate.repository';

/** Where the gateway publishes the development CA's CRL and answers OCSP (dev mode only). */
export const DEV_CRL_PATH = '/pki/dev-ca.crl';
export const DEV_OCSP_PATH = '/pki/ocsp';

/** The gateway's address as `make run` computes it: LIENTHONG_PUBLIC_URL, else http://HOST:PORT. */
export function devRevocationBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LIENTHONG_PUBLIC_URL) return env.LIENTHONG_PUBLIC_URL;
  const host = !env.HOST || env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
  return `http://${host}:${env.PORT ?? 8080}`;
}

export class DevModeRequiredError extends Error {
  constructor() {
    super('The development CA exists only in dev mode (LIENTHONG_DEV_MODE=1): it is refused here. Import real agency keys with `lienthong pki import`.');
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

/** The development CA with its key opened (created first if needed); dev mode only. */
export async function openDevCa(db: Queryable, masterKey: Buffer, devMode: boolean): Promise<KeyAndCert> {
  if (!devMode) throw new DevModeRequiredError();
  await ensureDevCa(db, masterKey, devMode);
  const ca = (await devCa(db))!;
  return { certPem: ca.certPem, keyPem: openPrivateKey(ca.keySealed, masterKey) };
}

/** Issues an agency certificate from the development CA and stores its key sealed. */
export async function issueDevCertificate(
  db: Queryable,
  masterKey: Buffer,
  devMode: boolean,
  agency: { code: string; name: string },
  keyType: 'rsa' | 'ec' = 'rsa',
  validity: { validDays?: number; notBefore?: Date; revocationBaseUrl?: string } = {},
): Promise<string> {
  if (!devMode) throw new DevModeRequiredError();
  const caKey = await openDevCa(db, masterKey, devMode);
  const { revocationBaseUrl, ...span } = validity;
  const base = (revocationBaseUrl ?? devRevocationBaseUrl()).replace(/\/$/, '');
  const issued = issueAgencyCertificate(caKey, { agencyCode: agency.code, agencyName: agency.name }, {
    keyType, ...span, revocation: { crlUrl: `${base}${DEV_CRL_PATH}`, ocspUrl: `${base}${DEV_OCSP_PATH}` },
  });
  return addAgencyCertificate(db, agency.code, issued.certPem, [caKey.certPem], sealPrivateKey(issued.keyPem, masterKey));
}
