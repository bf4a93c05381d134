import { MANIFEST_PATH, SEAL_PATH } from './evidence-parts';

// META-INF/ASiCManifest.xml (ETSI EN 319 162-1, ASiC-E with a CAdES signature): one
// DataObjectReference per part with its SHA-256; the hub's CMS seal over this file is
// META-INF/signature.p7s.

const NS_ASIC = 'http://uri.etsi.org/02918/v1.2.1#';
const NS_DS = 'http://www.w3.org/2000/09/xmldsig#';
const SHA256_URI = 'http://www.w3.org/2001/04/xmlenc#sha256';

export interface ManifestEntry {
  path: string;
  mimeType: string;
  sha256: string;
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unescapeXml = (s: string): string => s.replace(/&quot;/g, '"').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');

export function buildManifest(entries: ManifestEntry[]): Buffer {
  const refs = entries.map((e) =>
    `  <asic:DataObjectReference URI="${escapeXml(e.path)}" MimeType="${escapeXml(e.mimeType)}">\n` +
    `    <ds:DigestMethod Algorithm="${SHA256_URI}"/>\n` +
    `    <ds:DigestValue>${Buffer.from(e.sha256, 'hex').toString('base64')}</ds:DigestValue>\n` +
    '  </asic:DataObjectReference>\n');
  return Buffer.from(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    `<asic:ASiCManifest xmlns:asic="${NS_ASIC}" xmlns:ds="${NS_DS}">\n` +
    `  <asic:SigReference URI="${SEAL_PATH}" MimeType="application/pkcs7-signature"/>\n` +
    refs.join('') +
    '</asic:ASiCManifest>\n',
    'utf8',
  );
}

/** The references of a manifest this module wrote (checked by its seal before it is read). */
export function parseManifest(xml: Buffer): { sigReference: string | null; entries: ManifestEntry[] } {
  const text = xml.toString('utf8');
  if (!text.includes(`<asic:ASiCManifest xmlns:asic="${NS_ASIC}"`)) throw new Error(`${MANIFEST_PATH} is not an ASiC manifest`);
  const sig = /<asic:SigReference URI="([^"]*)"/.exec(text)?.[1] ?? null;
  const entries: ManifestEntry[] = [];
  const re = /<asic:DataObjectReference URI="([^"]*)" MimeType="([^"]*)">\s*<ds:DigestMethod Algorithm="([^"]*)"\/>\s*<ds:DigestValue>([A-Za-z0-9+/=]*)<\/ds:DigestValue>/g;
  for (const m of text.matchAll(re)) {
    if (m[3] !== SHA256_URI) throw new Error(`${MANIFEST_PATH}: unsupported digest method ${m[3]}`);
    entries.push({ path: unescapeXml(m[1]!), mimeType: unescapeXml(m[2]!), sha256: Buffer.from(m[4]!, 'base64').toString('hex') });
  }
  return { sigReference: sig ? unescapeXml(sig) : null, entries };
}
