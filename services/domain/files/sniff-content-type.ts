import { magicTypeOf, type MagicType } from '../../convert/sniff';

const CONTENT_TYPE: Partial<Record<MagicType, string>> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  zip: 'application/zip',
};

/**
 * The content type, from the bytes (their first KiB is enough): a client's declared type is never
 * trusted. Returns undefined for anything we do not recognise. The magic numbers are the convert
 * stage's (services/convert/sniff.ts): one sniffer for intake and conversion.
 */
export function sniffContentType(bytes: Uint8Array): string | undefined {
  const magic = magicTypeOf(bytes);
  return magic ? CONTENT_TYPE[magic] : undefined;
}
