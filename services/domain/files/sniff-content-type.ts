/**
 * The content type, from the bytes: a client's declared type is never trusted.
 * Returns undefined for anything we do not recognise.
 */
export function sniffContentType(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024));
  // PDF readers accept the header anywhere in the first 1024 bytes (ISO 32000-1, annex H).
  if (head.indexOf('%PDF-') !== -1) return 'application/pdf';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 4 && head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return 'application/zip';
  return undefined;
}
