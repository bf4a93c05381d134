import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { derToPem } from './x509-builder';

// PKCS#12 (.p12/.pfx) reading for `lienthong pki import`. node-forge does the PBE decryption and
// MAC check (OpenSSL 3's AES/PBKDF2 defaults and the legacy 3DES form alike); it cannot model EC
// keys or EC certificates, so those come back as raw ASN.1 and Node's crypto takes them from there.

export class Pkcs12Error extends Error {
  override name = 'Pkcs12Error';
}

export interface Pkcs12Contents {
  privateKey: KeyObject;
  /** PEM certificates, the one matching the key first, then the others (its chain) in file order. */
  certPems: string[];
}

const KEY_BAGS = new Set([forge.pki.oids.pkcs8ShroudedKeyBag, forge.pki.oids.keyBag]);

function derOf(asn1: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

function keyOf(bag: forge.pkcs12.Bag): KeyObject {
  // forge parsed RSA keys into its own object; anything else it left as PrivateKeyInfo ASN.1
  if (bag.key) return createPrivateKey(forge.pki.privateKeyToPem(bag.key));
  return createPrivateKey({ key: derOf(bag.asn1), format: 'der', type: 'pkcs8' });
}

function certificateOf(bag: forge.pkcs12.Bag): X509Certificate {
  return new X509Certificate(bag.cert ? derOf(forge.pki.certificateToAsn1(bag.cert)) : derOf(bag.asn1));
}

type GenerateKey = (password: string, ...rest: unknown[]) => unknown;

/**
 * A non-ASCII password is fed to two KDFs that want it differently: the PKCS#12 MAC key (and the
 * legacy 3DES bags) take UTF-16 code units, PBKDF2 (OpenSSL 3's default bags) takes UTF-8 bytes,
 * while forge passes one string to both. So forge gets the UTF-8 byte string, and for the MAC
 * alone its key function is given back the Unicode string. Safe because parsing is synchronous.
 */
function openWithUtf8Pbkdf2(der: forge.asn1.Asn1, password: string): forge.pkcs12.Pkcs12Pfx {
  const p12 = forge.pkcs12 as unknown as { generateKey: GenerateKey };
  const original = p12.generateKey;
  p12.generateKey = (_bytes, ...rest) => original(password, ...rest);
  try {
    return forge.pkcs12.pkcs12FromAsn1(der, false, forge.util.encodeUtf8(password));
  } finally {
    p12.generateKey = original;
  }
}

function open(file: Buffer, password: string): forge.pkcs12.Pkcs12Pfx {
  const der = forge.asn1.fromDer(file.toString('binary'));
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(password)) return forge.pkcs12.pkcs12FromAsn1(der, false, password);
  try {
    return openWithUtf8Pbkdf2(der, password);
  } catch {
    return forge.pkcs12.pkcs12FromAsn1(der, false, password); // legacy PKCS#12 PBE throughout
  }
}

export function readPkcs12(file: Buffer, password: string): Pkcs12Contents {
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    pfx = open(file, password);
  } catch (err) {
    const message = (err as Error).message;
    if (/mac could not be verified|invalid password|decrypt/i.test(message)) {
      throw new Pkcs12Error('cannot open the PKCS#12 file: the password is wrong (give it with --password-env VAR)');
    }
    throw new Pkcs12Error(`the file is not a readable PKCS#12 (.p12/.pfx): ${message}`);
  }
  const bags = pfx.safeContents.flatMap((c) => c.safeBags);
  const keyBags = bags.filter((b) => KEY_BAGS.has(b.type));
  if (keyBags.length !== 1) {
    throw new Pkcs12Error(`the PKCS#12 file holds ${keyBags.length} private keys; it must hold exactly one (the agency's)`);
  }
  let privateKey: KeyObject;
  let certificates: X509Certificate[];
  try {
    privateKey = keyOf(keyBags[0]!);
    certificates = bags.filter((b) => b.type === forge.pki.oids.certBag).map(certificateOf);
  } catch (err) {
    throw new Pkcs12Error(`the PKCS#12 contents cannot be read: ${(err as Error).message}`);
  }
  const leaf = certificates.find((c) => c.checkPrivateKey(privateKey));
  if (!leaf) throw new Pkcs12Error('the PKCS#12 file has no certificate for its private key');
  const others = certificates.filter((c) => c !== leaf);
  return { privateKey, certPems: [leaf, ...others].map((c) => derToPem(c.raw, 'CERTIFICATE')) };
}
