import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// Agency private keys at rest (design §8): AES-256-GCM under a master key from the environment.
// Format: v1:<iv b64>:<tag b64>:<ciphertext b64>. The version prefix lets us rotate the scheme
// later without guessing what an old row holds.

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class MasterKeyMismatchError extends Error {
  override name = 'MasterKeyMismatchError';
  constructor() {
    super(
      'cannot open a sealed secret (agency private key or webhook secret): it was sealed under another master key ' +
        'than the LIENTHONG_MASTER_KEY now set, or the sealed text was altered; restore the original LIENTHONG_MASTER_KEY ' +
        '(in dev mode: master.key in the data folder)',
    );
  }
}

export class SealedKeyFormatError extends Error {
  override name = 'SealedKeyFormatError';
}

function assertMasterKey(masterKey: Buffer): void {
  if (!Buffer.isBuffer(masterKey) || masterKey.length !== 32) {
    throw new RangeError(`master key must be exactly 32 bytes, got ${Buffer.isBuffer(masterKey) ? masterKey.length : typeof masterKey}`);
  }
}

export function sealPrivateKey(keyPem: string, masterKey: Buffer): string {
  if (!keyPem.includes('PRIVATE KEY-----')) throw new Error('sealPrivateKey: the input is not a PEM private key');
  return sealSecret(keyPem, masterKey, 'agency-private-key');
}

export function openPrivateKey(sealed: string, masterKey: Buffer): string {
  return openSecret(sealed, masterKey, 'agency-private-key');
}

/**
 * Any secret at rest (private keys, agencies' webhook secrets). `purpose` goes into the AAD, so a
 * value sealed for one purpose cannot be opened as another.
 */
export function sealSecret(plaintext: string, masterKey: Buffer, purpose: string): string {
  assertMasterKey(masterKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadFor(purpose));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
}

export function openSecret(sealed: string, masterKey: Buffer, purpose: string): string {
  assertMasterKey(masterKey);
  const parts = sealed.trim().split(':');
  if (parts.length !== 4 || parts[0] !== VERSION) {
    throw new SealedKeyFormatError(`sealed value is not in the ${VERSION}:<iv>:<tag>:<ciphertext> format`);
  }
  const [, ivB64, tagB64, ctB64] = parts as [string, string, string, string];
  const iv = Buffer.from(ivB64, 'base64');
  const tag = Buffer.from(tagB64, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SealedKeyFormatError('sealed value has an IV or tag of the wrong length');
  }
  const decipher = createDecipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aadFor(purpose));
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(Buffer.from(ctB64, 'base64'));
  try {
    // GCM cannot tell a wrong key from tampering: both fail authentication here.
    return Buffer.concat([plaintext, decipher.final()]).toString('utf8');
  } catch {
    throw new MasterKeyMismatchError();
  }
}

function aadFor(purpose: string): Buffer {
  return Buffer.from(`lienthong:${purpose}:v1`, 'utf8');
}
