import { X509Certificate } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { crlIssuedBy, parseCrl } from '../../pki/revocation/crl';
import { certIdOf, readOcspResponse } from '../../pki/revocation/ocsp';
import type { RevocationStatus } from '../../pki/revocation/revocation-checker';
import type { PdfValue } from '../pdf-lexer';
import type { PdfRevisions } from '../pdf-revisions';

// The verifier's side of the DSS: what the newest revision's Document Security Store holds
// (certificates, CRLs, OCSP responses), and revocation answers taken from it, so a B-LT or B-LTA
// file validates with no network at all.

export interface DssContents {
  certs: Buffer[];
  crls: Buffer[];
  ocsps: Buffer[];
}

const MAX_ITEM_BYTES = 8 * 1024 * 1024;
const MAX_ITEMS = 2_000;

function streamData(rev: PdfRevisions, v: PdfValue): Buffer | null {
  const o = rev.resolve(rev.sections, v);
  if (o.kind !== 'stream') return null;
  const filter = o.dict.get('Filter');
  const names = filter?.kind === 'array' ? filter.items : filter ? [filter] : [];
  if (names.length === 0) return o.data;
  if (names.length === 1 && names[0]?.kind === 'name' && names[0].value === 'FlateDecode') {
    try {
      return inflateSync(o.data, { maxOutputLength: MAX_ITEM_BYTES });
    } catch {
      return null;
    }
  }
  return null;
}

/** The DSS of the file's newest revision, or null when there is none. */
export function readDss(rev: PdfRevisions): DssContents | null {
  const root = rev.sections[0]?.trailer.get('Root');
  const catalog = root ? rev.resolve(rev.sections, root) : null;
  if (catalog?.kind !== 'dict') return null;
  const dssValue = catalog.entries.get('DSS');
  const dss = dssValue ? rev.resolve(rev.sections, dssValue) : null;
  if (dss?.kind !== 'dict') return null;
  const list = (key: string): Buffer[] => {
    const v = dss.entries.get(key);
    const arr = v ? rev.resolve(rev.sections, v) : null;
    if (arr?.kind !== 'array') return [];
    return arr.items.slice(0, MAX_ITEMS).map((item) => streamData(rev, item)).filter((b): b is Buffer => b !== null);
  };
  return { certs: list('Certs'), crls: list('CRLs'), ocsps: list('OCSPs') };
}

/** Certificates of the DSS that parse (for path building). */
export function dssCertificates(dss: DssContents | null | undefined): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const der of dss?.certs ?? []) {
    try {
      out.push(new X509Certificate(der));
    } catch {
      // not a certificate: ignored
    }
  }
  return out;
}

/**
 * How long before the validation time a "good" answer may have been issued and still count
 * (a CA publishes CRLs about daily; answers gathered at signing come from a cache).
 */
export const DSS_FRESHNESS_MS = 24 * 3600_000;

/**
 * The status of `cert` at `at` from the DSS: an OCSP response or a CRL of its issuer, signed by
 * that issuer. A revocation is always believed; "good" counts when the answer was issued no
 * earlier than DSS_FRESHNESS_MS before `at`. null when the DSS says nothing usable.
 */
export function dssRevocationStatus(cert: X509Certificate, issuer: X509Certificate, dss: DssContents, at: Date): RevocationStatus | null {
  const earliest = at.getTime() - DSS_FRESHNESS_MS;
  const id = certIdOf(cert, issuer);
  for (const der of dss.ocsps) {
    try {
      const a = readOcspResponse(der, id, issuer);
      if (a.certStatus.status === 'revoked') return { status: 'revoked', revokedAt: a.certStatus.revokedAt, source: 'dss', evidence: der, notes: [] };
      if (a.certStatus.status === 'good' && a.thisUpdate.getTime() >= earliest) return { status: 'good', revokedAt: null, source: 'dss', evidence: der, notes: [] };
    } catch {
      // an answer for another certificate
    }
  }
  for (const der of dss.crls) {
    try {
      const crl = parseCrl(der);
      if (!crlIssuedBy(crl, issuer)) continue;
      const revokedAt = crl.revoked.get(id.serial) ?? null;
      if (revokedAt) return { status: 'revoked', revokedAt, source: 'dss', evidence: der, notes: [] };
      if (crl.thisUpdate.getTime() >= earliest) return { status: 'good', revokedAt: null, source: 'dss', evidence: der, notes: [] };
    } catch {
      // unreadable CRL
    }
  }
  return null;
}
