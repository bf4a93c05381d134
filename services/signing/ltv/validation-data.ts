import { createHash, X509Certificate } from 'node:crypto';
import { crlUrls, ocspUrls } from '../../pki/revocation/cert-urls';
import { crlIssuedBy, parseCrl } from '../../pki/revocation/crl';
import { certIdOf, encodeOcspRequest, readOcspResponse } from '../../pki/revocation/ocsp';
import { Fetcher, httpFetch, RevocationCache } from '../../pki/revocation/revocation-checker';
import { buildPath, issuerInPath } from '../certificate-path';

// Validation data for B-LT (ETSI EN 319 142-1 §6.3 level B-LT): every certificate of the signer's
// and the TSA's paths, and for each certificate below its root one revocation answer — an OCSP
// response or a CRL of its issuer. Answers come from the shared PostgreSQL cache (the same table
// the verifier fills) while they are fresh, so signing does not wait on the network once a minute
// per issuer; what is fetched is put back in the cache for the next signature.

export interface ValidationData {
  certs: Buffer[];
  crls: Buffer[];
  ocsps: Buffer[];
  /** Certificates for which no revocation answer could be had, with why. */
  missing: string[];
  /** Certificates an answer says are revoked (subject). */
  revoked: string[];
}

export interface CollectorOptions {
  cache?: RevocationCache;
  fetch?: Fetcher;
  timeoutMs?: number;
  /** A cached answer is used while it is younger than this and before its nextUpdate (default 5 min). */
  maxAgeMs?: number;
  now?: () => Date;
}

type Answer = { kind: 'ocsp' | 'crl'; der: Buffer; revoked: boolean; nextUpdate: Date | null };

const ocspKey = (url: string, issuerKeyHash: Buffer, serial: string): string => `ocsp:${url}#${issuerKeyHash.toString('hex')}:${serial}`;

export class ValidationDataCollector {
  private readonly fetcher: Fetcher;
  private readonly timeoutMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => Date;
  /** Whole results per set of leaves, while every answer in them is fresh (one agency's documents share one). */
  private readonly memo = new Map<string, { data: ValidationData; until: number }>();

  constructor(private readonly opts: CollectorOptions = {}) {
    this.fetcher = opts.fetch ?? httpFetch;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.maxAgeMs = opts.maxAgeMs ?? 5 * 60_000;
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * The paths of `leaves` (each built from its own pool plus the anchors) and their revocation
   * answers. A certificate naming no service of its own is answered by a CRL of the same issuer
   * named by another certificate of the set (the TSA's and the agencies' CA publish one CRL).
   */
  async collect(leaves: { cert: Buffer; pool: Buffer[] }[], anchorsDer: Buffer[] = []): Promise<ValidationData> {
    const key = createHash('sha256');
    for (const d of [...leaves.flatMap((l) => [l.cert, ...l.pool]), ...anchorsDer]) key.update(createHash('sha256').update(d).digest());
    const memoKey = key.digest('hex');
    const now = this.now().getTime();
    const hit = this.memo.get(memoKey);
    if (hit && hit.until > now) return hit.data;
    const out: ValidationData = { certs: [], crls: [], ocsps: [], missing: [], revoked: [] };
    let until = now + this.maxAgeMs;
    const anchors = anchorsDer.map((d) => new X509Certificate(d));
    const pairs: { cert: X509Certificate; issuer: X509Certificate }[] = [];
    const add = (list: Buffer[], der: Buffer): void => {
      if (!list.some((x) => x.equals(der))) list.push(der);
    };
    for (const leaf of leaves) {
      const pool = leaf.pool.map((d) => new X509Certificate(d));
      const path = buildPath(new X509Certificate(leaf.cert), [...pool, ...anchors], anchors);
      for (const cert of path.certificates) {
        add(out.certs, cert.raw);
        const issuer = issuerInPath(path, cert);
        if (issuer && !cert.raw.equals(issuer.raw) && !pairs.some((p) => p.cert.raw.equals(cert.raw))) pairs.push({ cert, issuer });
      }
    }
    for (const { cert, issuer } of pairs) {
      const siblings = pairs.filter((p) => p.issuer.raw.equals(issuer.raw)).flatMap((p) => crlUrls(p.cert));
      const answer = await this.answerFor(cert, issuer, [...new Set(siblings)], out.missing);
      if (!answer) continue;
      add(answer.kind === 'ocsp' ? out.ocsps : out.crls, answer.der);
      if (answer.revoked) out.revoked.push(cert.subject.replace(/\n/g, ', '));
      if (answer.nextUpdate) until = Math.min(until, answer.nextUpdate.getTime());
    }
    // a result with a gap is not kept: the next signature tries the services again
    if (out.missing.length === 0) {
      if (this.memo.size > 1_000) this.memo.clear();
      this.memo.set(memoKey, { data: out, until });
    }
    return out;
  }

  private fresh(hit: { fetchedAt: Date; nextUpdate: Date | null } | null): boolean {
    const now = this.now().getTime();
    return !!hit && now - hit.fetchedAt.getTime() < this.maxAgeMs && (!hit.nextUpdate || hit.nextUpdate.getTime() > now);
  }

  /** Cached OCSP, cached CRL, then fetched OCSP, fetched CRL. */
  private async answerFor(cert: X509Certificate, issuer: X509Certificate, siblingCrls: string[], missing: string[]): Promise<Answer | null> {
    const id = certIdOf(cert, issuer);
    const ocsp = ocspUrls(cert);
    const crls = [...new Set([...crlUrls(cert), ...siblingCrls])];
    const cache = this.opts.cache;
    const fromOcsp = (der: Buffer): Answer => {
      const a = readOcspResponse(der, id, issuer);
      if (a.certStatus.status === 'unknown') throw new Error('the responder does not know the certificate');
      return { kind: 'ocsp', der, revoked: a.certStatus.status === 'revoked', nextUpdate: a.nextUpdate };
    };
    const fromCrl = (der: Buffer): Answer => {
      const crl = parseCrl(der);
      if (!crlIssuedBy(crl, issuer)) throw new Error('the CRL is not signed by the certificate issuer');
      return { kind: 'crl', der, revoked: crl.revoked.has(id.serial), nextUpdate: crl.nextUpdate };
    };
    if (cache) {
      for (const url of ocsp) {
        const hit = await cache.get(ocspKey(url, id.issuerKeyHash, id.serial));
        if (hit && this.fresh(hit)) return fromOcsp(hit.der);
      }
      for (const url of crls) {
        const hit = await cache.get(url);
        if (hit && this.fresh(hit)) {
          try {
            return fromCrl(hit.der);
          } catch {
            // another issuer's CRL under a sibling's URL: fetch below
          }
        }
      }
    }
    const notes: string[] = [];
    for (const url of ocsp) {
      try {
        const der = await this.fetcher(url, { body: encodeOcspRequest(id), contentType: 'application/ocsp-request', timeoutMs: this.timeoutMs });
        const answer = fromOcsp(der);
        await cache?.put(ocspKey(url, id.issuerKeyHash, id.serial), der, answer.nextUpdate);
        return answer;
      } catch (err) {
        notes.push(`OCSP ${url}: ${(err as Error).message}`);
      }
    }
    for (const url of crls) {
      try {
        const der = await this.fetcher(url, { timeoutMs: this.timeoutMs });
        const answer = fromCrl(der);
        await cache?.put(url, der, answer.nextUpdate);
        return answer;
      } catch (err) {
        notes.push(`CRL ${url}: ${(err as Error).message}`);
      }
    }
    missing.push(`${cert.subject.replace(/\n/g, ', ')}: ${notes.join('; ') || 'no CRL or OCSP service named'}`);
    return null;
  }
}
