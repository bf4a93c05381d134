import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import type { Queryable } from '../../db/pool';
import { sealPrivateKey } from '../../pki/key-envelope';
import { readPkcs12 } from '../../pki/pkcs12';
import { pemBlocks, derToPem } from '../../pki/x509-builder';
import { addAgencyCertificate } from './agency-certificate.repository';

// `lienthong pki import`: production agency keys arrive as PKCS#12 or PEM from the national CA.
// Everything is checked before anything is stored, so a bad file leaves no half-imported row.

export class CertificateImportError extends Error {
  override name = 'CertificateImportError';
}

export interface ImportMaterial {
  privateKey: KeyObject;
  /** The agency certificate first, then its issuers. */
  certPems: string[];
}

export interface ImportedCertificate {
  id: string;
  agencyCode: string;
  subject: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** Not an error, but the operator should know (a certificate valid only from a later date). */
  notes: string[];
}

export function materialFromPkcs12(file: Buffer, password: string): ImportMaterial {
  return readPkcs12(file, password);
}

export function materialFromPem(certPem: string, keyPem: string, chainPem = '', passphrase?: string): ImportMaterial {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(passphrase ? { key: keyPem, passphrase } : keyPem);
  } catch (err) {
    const encrypted = /ENCRYPTED/.test(keyPem) && !passphrase;
    throw new CertificateImportError(
      encrypted ? 'the PEM private key is encrypted: give its password with --password-env VAR'
        : `the private key cannot be read: ${(err as Error).message}`,
    );
  }
  const certPems = [...pemBlocks(certPem, 'CERTIFICATE'), ...pemBlocks(chainPem, 'CERTIFICATE')].map((der) => derToPem(der, 'CERTIFICATE'));
  if (certPems.length === 0) throw new CertificateImportError('no PEM certificate found in the certificate file');
  return { privateKey, certPems };
}

/** Throws CertificateImportError with one sentence per refusal; returns notes for what is merely unusual. */
export function checkImportMaterial(material: ImportMaterial, now = new Date()): { certificate: X509Certificate; notes: string[] } {
  const [leafPem] = material.certPems;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(leafPem ?? '');
    material.certPems.slice(1).forEach((pem) => new X509Certificate(pem));
  } catch (err) {
    throw new CertificateImportError(`a certificate cannot be read: ${(err as Error).message}`);
  }
  const key = material.privateKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < 2048) throw new CertificateImportError(`the RSA key has ${details.modulusLength} bits; at least 2048 are required`);
  } else if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve !== 'prime256v1') throw new CertificateImportError(`the EC key is on curve ${details.namedCurve}; only P-256 is accepted`);
  } else {
    throw new CertificateImportError(`the key is ${key.asymmetricKeyType}; only RSA (2048 bits or more) and EC P-256 can sign`);
  }
  if (!certificate.checkPrivateKey(key)) throw new CertificateImportError('the private key does not belong to the certificate');
  if (certificate.ca) throw new CertificateImportError('the certificate is a CA certificate, not an agency signing certificate');
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new CertificateImportError(`the certificate expired on ${notAfter.toISOString()}; ask the CA for a new one`);
  }
  const notes: string[] = [];
  const notBefore = new Date(certificate.validFrom);
  if (notBefore.getTime() > now.getTime()) notes.push(`the certificate becomes valid on ${notBefore.toISOString()}; until then the current one keeps signing`);
  return { certificate, notes };
}

export async function importAgencyCertificate(db: Queryable, masterKey: Buffer, agencyCode: string, material: ImportMaterial): Promise<ImportedCertificate> {
  const { certificate, notes } = checkImportMaterial(material);
  const keyPem = material.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const [leafPem, ...chainPems] = material.certPems;
  const id = await addAgencyCertificate(db, agencyCode, leafPem!, chainPems, sealPrivateKey(keyPem, masterKey));
  return {
    id, agencyCode, subject: certificate.subject.replace(/\n/g, ', '), serial: certificate.serialNumber,
    notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo), notes,
  };
}
