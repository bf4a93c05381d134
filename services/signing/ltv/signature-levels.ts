import { X509Certificate } from 'node:crypto';
import { parseSignedData } from '../cms-parser';
import { SigningIdentityError } from '../errors';
import { OID } from '../../asn1/oids';
import type { TimestampOptions } from '../signature-timestamp';
import { readTimestampToken } from '../timestamp-token';
import { buildDssUpdate, VriEntry } from './dss-update';
import { appendDocTimestamp, appendUpdate, PdfSource, withTarget } from './pdf-append';
import type { ValidationDataCollector } from './validation-data';

// PAdES baseline levels (ETSI EN 319 142-1 §6): B-B a CAdES-detached signature; B-T with a
// signature timestamp; B-LT adds, in a DSS after the signature, the certificates of the signer's
// and the TSA's paths and the CRLs/OCSP responses for them; B-LTA adds a document timestamp over
// the whole file after that DSS. Renewal (ltv/renewal.ts) repeats the last two steps for the
// newest timestamp.

export const SIGNATURE_LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const;
export type SignatureLevel = (typeof SIGNATURE_LEVELS)[number];

export interface LtvContext {
  collector: ValidationDataCollector;
  /** Trust anchors that end the paths (the roots go into the DSS too). */
  anchors: Buffer[];
  /** The TSA of document timestamps (B-LTA, renewal). */
  tsa?: TimestampOptions;
  now?: () => Date;
}

export interface TokenParts {
  tsaCertificate: Buffer | null;
  certificates: Buffer[];
  time: Date | null;
  /** The TSA certificate's notAfter: the token must be renewed before it. */
  tsaNotAfter: Date | null;
}

// A TSA signs thousands of tokens with one certificate: what this module reads of a certificate is
// kept (by its bytes) instead of parsing it for every signature.
const certInfo = new Map<string, { timeStamping: boolean; notAfter: Date } | null>();
function infoOf(der: Buffer): { timeStamping: boolean; notAfter: Date } | null {
  const key = der.toString('base64');
  if (certInfo.has(key)) return certInfo.get(key)!;
  let info: { timeStamping: boolean; notAfter: Date } | null = null;
  try {
    const c = new X509Certificate(der);
    info = { timeStamping: (c.keyUsage ?? []).includes(OID.kpTimeStamping), notAfter: new Date(c.validTo) };
  } catch {
    info = null; // not a certificate we can read
  }
  if (certInfo.size > 256) certInfo.clear();
  certInfo.set(key, info);
  return info;
}

/** The parts of a timestamp token this module needs, read without checking it (the verifier does that). */
export function tokenParts(token: Buffer): TokenParts {
  const { signedData, tstInfo } = readTimestampToken(token);
  for (const der of signedData.certificates) {
    const info = infoOf(der);
    if (info?.timeStamping) return { tsaCertificate: der, certificates: signedData.certificates, time: tstInfo.genTime, tsaNotAfter: info.notAfter };
  }
  return { tsaCertificate: null, certificates: signedData.certificates, time: tstInfo.genTime, tsaNotAfter: null };
}

/** The signer certificate, the certificates and the signature timestamp token of a signature's CMS. */
export function signatureParts(cms: Buffer): { signer: Buffer | null; certificates: Buffer[]; token: Buffer | null } {
  const parsed = parseSignedData(cms);
  const token = parsed.signer.unsignedAttributes.get(OID.timeStampToken)?.[0]?.raw ?? null;
  // the signer is the certificate whose key verifies nothing here; PAdES signers put theirs first
  return { signer: parsed.certificates[0] ?? null, certificates: parsed.certificates, token };
}

export interface ValidationTarget {
  /** /Contents of the signature or timestamp the data validates (its VRI key). */
  contents: Buffer;
  leaves: { cert: Buffer; pool: Buffer[] }[];
}

/** Collects validation data for each target and appends one DSS update holding it all. */
export async function appendValidationData(src: PdfSource, targets: ValidationTarget[], ctx: LtvContext): Promise<{ src: PdfSource; missing: string[]; revoked: string[] }> {
  const entries: VriEntry[] = [];
  const missing: string[] = [];
  const revoked: string[] = [];
  for (const target of targets) {
    const data = await ctx.collector.collect(target.leaves, ctx.anchors);
    entries.push({ signatureContents: target.contents, certs: data.certs, crls: data.crls, ocsps: data.ocsps });
    missing.push(...data.missing);
    revoked.push(...data.revoked);
  }
  const when = ctx.now?.() ?? new Date();
  const { update, next } = await withTarget(src, (t) => buildDssUpdate(t, entries, when));
  return { src: await appendUpdate(src, update, next), missing: [...new Set(missing)], revoked: [...new Set(revoked)] };
}

export interface Augmented {
  src: PdfSource;
  level: SignatureLevel;
  /** Why the level is lower than asked (missing revocation data). */
  note?: string;
  /** notAfter of the TSA certificate of the newest timestamp in the file. */
  tsaNotAfter: Date | null;
}

/**
 * Raises a freshly made B-T signature (its CMS `cms`) to B-LT or B-LTA. Without revocation data
 * for every certificate the file still gets its DSS (and document timestamp), but the level
 * reported stays B-T, with the reason; a revoked certificate in the signer's path refuses.
 */
export async function augmentSignature(src: PdfSource, cms: Buffer, level: 'B-LT' | 'B-LTA', ctx: LtvContext): Promise<Augmented> {
  const sig = signatureParts(cms);
  if (!sig.signer || !sig.token) throw new SigningIdentityError('B-LT needs a timestamped signature (B-T) with its certificate');
  const ts = tokenParts(sig.token);
  const leaves = [{ cert: sig.signer, pool: sig.certificates }];
  if (ts.tsaCertificate) leaves.push({ cert: ts.tsaCertificate, pool: ts.certificates });
  const added = await appendValidationData(src, [{ contents: cms, leaves }], ctx);
  if (added.revoked.length > 0) throw new SigningIdentityError(`a certificate is revoked: ${added.revoked.join('; ')}`);
  let out = added.src;
  let tsaNotAfter = ts.tsaNotAfter;
  if (level === 'B-LTA') {
    if (!ctx.tsa) throw new SigningIdentityError('B-LTA needs a timestamp authority (LIENTHONG_TSA_URL)');
    try {
      const stamped = await appendDocTimestamp(out, ctx.tsa);
      out = stamped.src;
      tsaNotAfter = tokenParts(stamped.token).tsaNotAfter;
    } catch (err) {
      // as for the signature timestamp: policy "bb" settles for less (here B-LT) instead of retrying
      if (ctx.tsa.whenUnavailable !== 'bb') throw err;
      const note = `no document timestamp: ${(err as Error).message}`;
      return { src: out, level: added.missing.length > 0 ? 'B-T' : 'B-LT', note, tsaNotAfter };
    }
  }
  const note = added.missing.length > 0 ? `no revocation data for: ${added.missing.join(' | ')}` : undefined;
  return { src: out, level: note ? 'B-T' : level, ...(note ? { note } : {}), tsaNotAfter };
}
