/**
 * The master key as the configuration gives it (LIENTHONG_MASTER_KEY or its file): 64 hex
 * characters or base64 (standard or URL-safe) of exactly 32 bytes. Never echoes the input. The
 * configuration reads it; services/pki/key-envelope.ts seals and opens private keys with the bytes.
 */
export function parseMasterKey(text: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  throw new Error(
    `master key must be 32 bytes written as 64 hex characters or as base64 (44 characters); ` +
      `the value given has ${value.length} characters and is neither`,
  );
}
