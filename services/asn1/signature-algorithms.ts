import { constants, verify, type KeyObject } from 'node:crypto';
import { children, decodeOid, decodeSmallInteger, DerNode } from './der';
import { DIGEST_BY_OID, DigestName, OID } from './oids';

// The signature algorithms a CMS SignerInfo may name (RFC 5652, RFC 4056, RFC 5753): RSA
// PKCS#1 v1.5, RSASSA-PSS and ECDSA, with SHA-1 and the SHA-2 family. Verification is Node's
// native crypto; this module only maps identifiers to its options.

export interface SignatureAlgorithm {
  /** 'RSA', 'RSA-PSS' or 'ECDSA', with the hash: e.g. "RSA-PSS/SHA-256". */
  label: string;
  hash: DigestName;
  verify(data: Buffer, key: KeyObject, signature: Buffer): boolean;
}

export class UnsupportedAlgorithmError extends Error {
  override name = 'UnsupportedAlgorithmError';
}

const HASH_OF_SIGNATURE: Readonly<Record<string, [DigestName | null, 'RSA' | 'ECDSA']>> = {
  [OID.rsaEncryption]: [null, 'RSA'], // the hash comes from digestAlgorithm
  [OID.sha1WithRSAEncryption]: ['sha1', 'RSA'],
  [OID.sha224WithRSAEncryption]: ['sha224', 'RSA'],
  [OID.sha256WithRSAEncryption]: ['sha256', 'RSA'],
  [OID.sha384WithRSAEncryption]: ['sha384', 'RSA'],
  [OID.sha512WithRSAEncryption]: ['sha512', 'RSA'],
  [OID.ecPublicKey]: [null, 'ECDSA'],
  [OID.ecdsaWithSHA1]: ['sha1', 'ECDSA'],
  [OID.ecdsaWithSHA224]: ['sha224', 'ECDSA'],
  [OID.ecdsaWithSHA256]: ['sha256', 'ECDSA'],
  [OID.ecdsaWithSHA384]: ['sha384', 'ECDSA'],
  [OID.ecdsaWithSHA512]: ['sha512', 'ECDSA'],
};

const hashLabel = (h: DigestName): string => h.toUpperCase().replace('SHA', 'SHA-');

function hashOfAlgorithmId(node: DerNode | undefined): DigestName {
  const [oid] = node ? children(node) : [];
  const hash = oid ? DIGEST_BY_OID[decodeOid(oid)] : undefined;
  if (!hash) throw new UnsupportedAlgorithmError('RSASSA-PSS with an unsupported hash');
  return hash;
}

/** RSASSA-PSS-params (RFC 4055 §3.1): defaults SHA-1, MGF1 with SHA-1, salt 20. */
function pss(params: DerNode | null): SignatureAlgorithm {
  let hash: DigestName = 'sha1';
  let mgfHash: DigestName = 'sha1';
  let saltLength = 20;
  for (const field of params ? children(params) : []) {
    const [inner] = children(field);
    if (field.tag === 0xa0) hash = hashOfAlgorithmId(inner);
    else if (field.tag === 0xa1 && inner) {
      const [mgf, mgfParams] = children(inner);
      if (!mgf || decodeOid(mgf) !== OID.mgf1) throw new UnsupportedAlgorithmError('RSASSA-PSS with a mask generation function other than MGF1');
      mgfHash = hashOfAlgorithmId(mgfParams);
    } else if (field.tag === 0xa2) saltLength = decodeSmallInteger(inner);
  }
  if (mgfHash !== hash) throw new UnsupportedAlgorithmError('RSASSA-PSS whose MGF1 hash differs from its message hash');
  return {
    label: `RSA-PSS/${hashLabel(hash)}`,
    hash,
    verify: (data, key, signature) => verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature),
  };
}

/** The algorithm of a SignerInfo; `digestAlgorithm` supplies the hash when the signature OID names only the key type. */
export function signatureAlgorithm(oid: string, params: DerNode | null, digestAlgorithm: DigestName): SignatureAlgorithm {
  if (oid === OID.rsassaPss) return pss(params);
  const known = HASH_OF_SIGNATURE[oid];
  if (!known) throw new UnsupportedAlgorithmError(`unsupported signature algorithm ${oid}`);
  const hash = known[0] ?? digestAlgorithm;
  const family = known[1];
  return {
    label: `${family}/${hashLabel(hash)}`,
    hash,
    verify: (data, key, signature) => {
      // the key must be able to make what the SignerInfo claims: an RSA-PSS key (id-RSASSA-PSS,
      // RFC 4055) makes no PKCS#1 v1.5 signature, and node would otherwise verify it as PSS
      if (key.asymmetricKeyType !== KEY_TYPE_OF[family]) throw new UnsupportedAlgorithmError(`a ${key.asymmetricKeyType ?? 'unknown'} key cannot make ${family === 'RSA' ? 'RSA PKCS#1 v1.5' : family} signatures`);
      return verify(hash, data, family === 'RSA' ? { key, padding: constants.RSA_PKCS1_PADDING } : key, signature);
    },
  };
}

const KEY_TYPE_OF: Readonly<Record<'RSA' | 'ECDSA', string>> = { RSA: 'rsa', ECDSA: 'ec' };

/** ETSI TS 119 312: SHA-1 is not acceptable for signatures since 2016 (a signature made with it proves little). */
export const WEAK_HASHES: ReadonlySet<DigestName> = new Set(['sha1']);
/** Public keys below these sizes are weak (RSA bits; EC curves below P-256). */
export const MIN_RSA_BITS = 2048;
export const MIN_EC_BITS = 256;

export function weakKey(key: KeyObject): string | null {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    return (d?.modulusLength ?? 0) < MIN_RSA_BITS ? `RSA ${d?.modulusLength ?? '?'} bit` : null;
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = d?.namedCurve ?? '';
    return /^(prime256v1|secp384r1|secp521r1|brainpoolP(256|384|512)r1)$/.test(curve) ? null : `EC ${curve || '?'}`;
  }
  return null;
}
