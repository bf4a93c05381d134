import { createPrivateKey, generateKeyPairSync, KeyObject, X509Certificate } from 'node:crypto';
import { keyIdentifierFromSpki, readCertificateFields, subjectKeyIdentifier } from '../asn1/cert-fields';
import { OID } from '../asn1/oids';
import { crlDistributionPointsValue, ocspAccessValue } from './revocation/cert-urls';
import {
  authorityKeyIdentifierValue, basicConstraintsValue, buildCertificate, derToPem, encodeName, extension,
  extKeyUsageValue, KeyUsageBit, keyUsageValue, randomSerial, subjectKeyIdentifierValue,
} from './x509-builder';

// Development PKI only: the design (§8) allows a generated CA only in an explicit dev mode.
// Production agency certificates come from the national CA and are imported, never issued here.

export interface KeyAndCert {
  /** PKCS#8 PEM, unencrypted: seal it with key-envelope before it touches storage. */
  keyPem: string;
  certPem: string;
}

export type KeyType = 'rsa' | 'ec';

const DEFAULT_CA_NAME = 'Liên Thông Development CA (not for production)';
const DAY_MS = 24 * 60 * 60 * 1000;
// Back-dating absorbs clock skew between the issuing host and verifiers.
const CLOCK_SKEW_MS = 5 * 60 * 1000;

function generateKey(keyType: KeyType): { privateKey: KeyObject; spki: Buffer } {
  const { privateKey, publicKey } =
    keyType === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

function keyPemOf(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** X.509 times have whole seconds; truncating here keeps notBefore from being later than asked. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function assertValidDays(days: number): void {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`validDays must be a positive integer, got ${days}`);
}

export function createDevCa(opts: { commonName?: string; keyType?: KeyType; validDays?: number } = {}): KeyAndCert {
  const validDays = opts.validDays ?? 3650;
  assertValidDays(validDays);
  const { privateKey, spki } = generateKey(opts.keyType ?? 'rsa');
  const name = encodeName([
    { type: OID.countryName, value: 'VN' },
    { type: OID.organizationName, value: 'Liên Thông (development)' },
    { type: OID.commonName, value: opts.commonName ?? DEFAULT_CA_NAME },
  ]);
  const keyId = keyIdentifierFromSpki(spki);
  const notBefore = wholeSeconds(new Date(Date.now() - CLOCK_SKEW_MS));
  const der = buildCertificate(
    {
      serial: randomSerial(),
      issuer: name,
      subject: name,
      notBefore,
      notAfter: new Date(notBefore.getTime() + validDays * DAY_MS),
      subjectPublicKeyInfo: spki,
      extensions: [
        extension(OID.basicConstraints, true, basicConstraintsValue(true)),
        extension(OID.keyUsage, true, keyUsageValue([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign])),
        extension(OID.subjectKeyIdentifier, false, subjectKeyIdentifierValue(keyId)),
      ],
    },
    privateKey,
  );
  return { keyPem: keyPemOf(privateKey), certPem: derToPem(der, 'CERTIFICATE') };
}

interface Issuance {
  subject: Buffer;
  /** Usage-specific extensions; key identifiers are added by issueFromCa. */
  extensions: Buffer[];
  keyType: KeyType;
  validDays: number;
  notBefore?: Date;
}

/** Common path of every certificate the development CA issues: new key pair, CA checks, signing. */
function issueFromCa(ca: KeyAndCert, what: Issuance): KeyAndCert {
  assertValidDays(what.validDays);
  const caKey = createPrivateKey(ca.keyPem);
  const caCert = new X509Certificate(ca.certPem);
  if (!caCert.checkPrivateKey(caKey)) throw new Error('the CA key does not match the CA certificate');
  if (!caCert.ca) throw new Error('the issuing certificate is not a CA (basicConstraints CA:false)');
  const caFields = readCertificateFields(caCert.raw);

  const { privateKey, spki } = generateKey(what.keyType);
  const notBefore = wholeSeconds(what.notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS));
  const der = buildCertificate(
    {
      serial: randomSerial(),
      issuer: caFields.subject,
      subject: what.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + what.validDays * DAY_MS),
      subjectPublicKeyInfo: spki,
      extensions: [
        ...what.extensions,
        extension(OID.subjectKeyIdentifier, false, subjectKeyIdentifierValue(keyIdentifierFromSpki(spki))),
        extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifierValue(subjectKeyIdentifier(caFields))),
      ],
    },
    caKey,
  );
  return { keyPem: keyPemOf(privateKey), certPem: derToPem(der, 'CERTIFICATE') };
}

export function issueAgencyCertificate(
  ca: KeyAndCert,
  subject: { agencyCode: string; agencyName: string },
  opts: { keyType?: KeyType; validDays?: number; notBefore?: Date; revocation?: { crlUrl: string; ocspUrl: string } } = {},
): KeyAndCert {
  const agencyCode = subject.agencyCode.trim();
  const agencyName = subject.agencyName.trim();
  if (!agencyCode || !agencyName) throw new Error('issueAgencyCertificate: agencyCode and agencyName are required');
  return issueFromCa(ca, {
    subject: encodeName([
      { type: OID.countryName, value: 'VN' },
      { type: OID.organizationName, value: agencyName },
      { type: OID.organizationalUnitName, value: agencyCode },
      { type: OID.commonName, value: agencyName },
    ]),
    keyType: opts.keyType ?? 'rsa',
    validDays: opts.validDays ?? 730,
    ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
    extensions: [
      extension(OID.basicConstraints, true, basicConstraintsValue(false)),
      extension(OID.keyUsage, true, keyUsageValue([KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation])),
      // NSS (poppler's pdfsig) validates PDF signers for the e-mail signer usage, so
      // emailProtection must be present; documentSigning (RFC 9336) states the real purpose.
      extension(OID.extKeyUsage, false, extKeyUsageValue([OID.kpEmailProtection, OID.kpDocumentSigning])),
      // where relying parties find its revocation status (the development CA's CRL and OCSP responder)
      ...(opts.revocation
        ? [extension(OID.cRLDistributionPoints, false, crlDistributionPointsValue(opts.revocation.crlUrl)),
          extension(OID.authorityInfoAccess, false, ocspAccessValue(opts.revocation.ocspUrl))]
        : []),
    ],
  });
}

/**
 * A time-stamping certificate for the development TSA. RFC 3161 §2.3 requires the extended key
 * usage to be timeStamping alone and critical; OpenSSL's `ts -verify` refuses anything else.
 */
export function issueTsaCertificate(
  ca: KeyAndCert,
  opts: { commonName?: string; keyType?: KeyType; validDays?: number; notBefore?: Date; revocation?: { crlUrl: string; ocspUrl: string } } = {},
): KeyAndCert {
  return issueFromCa(ca, {
    subject: encodeName([
      { type: OID.countryName, value: 'VN' },
      { type: OID.organizationName, value: 'Liên Thông (development)' },
      { type: OID.commonName, value: opts.commonName ?? 'Liên Thông Development TSA (not for production)' },
    ]),
    keyType: opts.keyType ?? 'rsa',
    validDays: opts.validDays ?? 365,
    ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
    extensions: [
      extension(OID.basicConstraints, true, basicConstraintsValue(false)),
      extension(OID.keyUsage, true, keyUsageValue([KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation])),
      extension(OID.extKeyUsage, true, extKeyUsageValue([OID.kpTimeStamping])),
      // B-LT: the TSA's revocation status is gathered into the DSS like the signer's
      ...(opts.revocation
        ? [extension(OID.cRLDistributionPoints, false, crlDistributionPointsValue(opts.revocation.crlUrl)),
          extension(OID.authorityInfoAccess, false, ocspAccessValue(opts.revocation.ocspUrl))]
        : []),
    ],
  });
}
