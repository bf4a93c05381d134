import { createHash, X509Certificate } from 'node:crypto';
import { readCertificateFields } from '../../asn1/cert-fields';
import { decodeAt } from '../../asn1/der';
import { crlUrls, ocspUrls } from './cert-urls';
import { Crl, crlIssuedBy, parseCrl, serialKey } from './crl';
import { certIdOf, encodeOcspRequest, readOcspResponse } from './ocsp';

// Revocation status of one certificate at a validation time, from (in this order) its OCSP
// responder (AIA), its CRL distribution points (cached until nextUpdate, at most maxAgeMs), and
// the CRLs the operator imported. Reusable: signature validation asks it now; B-LT signing
// (DSS) will collect the same responses at signing time — every answer carries its raw bytes.

export interface RevocationStatus {
  status: 'good' | 'revoked' | 'unknown';
  revokedAt: Date | null;
  source: 'ocsp' | 'crl' | 'imported-crl' | 'dss' | null;
  /** The CRL or OCSP response the answer came from (for a DSS). */
  evidence: Buffer | null;
  /** What was tried and why it gave nothing, for the report. */
  notes: string[];
}

export interface RevocationCache {
  get(url: string): Promise<{ der: Buffer; fetchedAt: Date; nextUpdate: Date | null } | null>;
  put(url: string, der: Buffer, nextUpdate: Date | null): Promise<void>;
}

export type Fetcher = (url: string, init: { body?: Buffer; contentType?: string; timeoutMs: number }) => Promise<Buffer>;

export interface RevocationOptions {
  cache?: RevocationCache;
  /** CRLs imported by the operator (DER). */
  importedCrls?: () => Promise<Buffer[]>;
  fetch?: Fetcher;
  timeoutMs?: number;
  /** A cached CRL is refetched after this long even before its nextUpdate (default 60 s). */
  maxAgeMs?: number;
  now?: () => Date;
}

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export const httpFetch: Fetcher = async (url, init) => {
  const res = await fetch(url, {
    method: init.body ? 'POST' : 'GET',
    ...(init.body ? { body: init.body, headers: { 'content-type': init.contentType ?? 'application/octet-stream' } } : {}),
    signal: AbortSignal.timeout(init.timeoutMs),
    redirect: 'follow',
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > MAX_RESPONSE_BYTES) throw new Error('response too large');
  const body = Buffer.from(await res.arrayBuffer());
  if (body.length > MAX_RESPONSE_BYTES) throw new Error('response too large');
  return body;
};

/** An in-process cache (CLI runs, tests). */
export function memoryCache(): RevocationCache {
  const map = new Map<string, { der: Buffer; fetchedAt: Date; nextUpdate: Date | null }>();
  return {
    get: async (url) => map.get(url) ?? null,
    put: async (url, der, nextUpdate) => {
      map.set(url, { der, fetchedAt: new Date(), nextUpdate });
    },
  };
}

export const issuerHash = (issuerName: Buffer): string => createHash('sha256').update(issuerName).digest('hex');

function fromCrl(crl: Crl, cert: X509Certificate, source: 'crl' | 'imported-crl'): RevocationStatus {
  const serial = serialKey(decodeAt(readCertificateFields(cert.raw).serial).content);
  const revokedAt = crl.revoked.get(serial) ?? null;
  return { status: revokedAt ? 'revoked' : 'good', revokedAt, source, evidence: crl.der, notes: [] };
}

export class RevocationChecker {
  private readonly fetcher: Fetcher;
  private readonly timeoutMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => Date;

  constructor(private readonly opts: RevocationOptions = {}) {
    this.fetcher = opts.fetch ?? httpFetch;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.now = opts.now ?? (() => new Date());
  }

  async status(cert: X509Certificate, issuer: X509Certificate): Promise<RevocationStatus> {
    const notes: string[] = [];
    for (const url of ocspUrls(cert)) {
      try {
        const id = certIdOf(cert, issuer);
        const der = await this.fetcher(url, { body: encodeOcspRequest(id), contentType: 'application/ocsp-request', timeoutMs: this.timeoutMs });
        const answer = readOcspResponse(der, id, issuer);
        if (answer.certStatus.status === 'good') return { status: 'good', revokedAt: null, source: 'ocsp', evidence: der, notes };
        if (answer.certStatus.status === 'revoked') return { status: 'revoked', revokedAt: answer.certStatus.revokedAt, source: 'ocsp', evidence: der, notes };
        notes.push(`OCSP ${url}: unknown certificate`);
      } catch (err) {
        notes.push(`OCSP ${url}: ${(err as Error).message}`);
      }
    }
    for (const url of crlUrls(cert)) {
      try {
        const crl = await this.crlFrom(url, issuer);
        return { ...fromCrl(crl, cert, 'crl'), notes };
      } catch (err) {
        notes.push(`CRL ${url}: ${(err as Error).message}`);
      }
    }
    const imported = await this.importedFor(issuer);
    if (imported) return { ...fromCrl(imported, cert, 'imported-crl'), notes };
    if (notes.length === 0) notes.push('the certificate names no CRL or OCSP service and no CRL of its issuer was imported');
    return { status: 'unknown', revokedAt: null, source: null, evidence: null, notes };
  }

  private async crlFrom(url: string, issuer: X509Certificate): Promise<Crl> {
    const now = this.now();
    const cached = await this.opts.cache?.get(url);
    if (cached && now.getTime() - cached.fetchedAt.getTime() < this.maxAgeMs && (!cached.nextUpdate || cached.nextUpdate > now)) {
      const crl = parseCrl(cached.der);
      if (crlIssuedBy(crl, issuer)) return crl;
    }
    const der = await this.fetcher(url, { timeoutMs: this.timeoutMs });
    const crl = parseCrl(der);
    if (!crlIssuedBy(crl, issuer)) throw new Error('the CRL is not signed by the certificate issuer');
    await this.opts.cache?.put(url, der, crl.nextUpdate);
    return crl;
  }

  private async importedFor(issuer: X509Certificate): Promise<Crl | null> {
    let newest: Crl | null = null;
    for (const der of (await this.opts.importedCrls?.()) ?? []) {
      try {
        const crl = parseCrl(der);
        if (crlIssuedBy(crl, issuer) && (!newest || crl.thisUpdate > newest.thisUpdate)) newest = crl;
      } catch {
        // an unreadable import is reported when it is imported; skip it here
      }
    }
    return newest;
  }
}
