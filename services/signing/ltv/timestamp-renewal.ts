import { findSignatures } from '../pdf-signature-scan';
import { SigningIdentityError } from '../errors';
import { appendDocTimestamp } from './pdf-append';
import { appendValidationData, LtvContext, signatureParts, tokenParts, ValidationTarget } from './signature-levels';

// Renewal of a signed PDF's proof of existence (PAdES B-LTA, ETSI EN 319 142-1 §5.5): before the
// TSA certificate of its newest timestamp expires (or when an algorithm it uses is declared
// weak), a DSS update adds the validation data of that newest timestamp — its TSA's path and
// revocation answers — and a new document timestamp covers the whole file, the earlier ones
// included. Both are incremental updates: every byte that was signed or timestamped stays.

export interface NewestTimestamp {
  kind: 'signature-timestamp' | 'document-timestamp';
  time: Date | null;
  tsaNotAfter: Date | null;
}

/** The newest timestamp of the file: its last document timestamp, else its last signature's timestamp. */
export function newestTimestamp(pdf: Buffer): NewestTimestamp | null {
  const found = findSignatures(pdf);
  for (let i = found.length - 1; i >= 0; i--) {
    const sig = found[i]!;
    try {
      if (sig.subFilter === 'ETSI.RFC3161') return { kind: 'document-timestamp', ...pick(tokenParts(sig.contents)) };
      const token = signatureParts(sig.contents).token;
      if (token) return { kind: 'signature-timestamp', ...pick(tokenParts(token)) };
    } catch {
      // unreadable: look further back
    }
  }
  return null;
}

const pick = (t: ReturnType<typeof tokenParts>): { time: Date | null; tsaNotAfter: Date | null } => ({ time: t.time, tsaNotAfter: t.tsaNotAfter });

export interface Renewed {
  pdf: Buffer;
  /** What the renewal covered (the newest timestamp before it) and the new one. */
  previous: NewestTimestamp;
  timestampTime: Date | null;
  tsaNotAfter: Date | null;
  /** Certificates the DSS update holds no revocation answer for. */
  missing: string[];
}

/**
 * Adds validation data for the newest timestamp (for a file that is still B-T: for its signature
 * and signature timestamp) and a new document timestamp. Returns the renewed bytes: the input
 * followed by the two updates.
 */
export async function renewPdf(pdf: Buffer, ctx: LtvContext): Promise<Renewed> {
  if (!ctx.tsa) throw new SigningIdentityError('renewal needs a timestamp authority (LIENTHONG_TSA_URL)');
  const found = findSignatures(pdf);
  const lastDocTs = [...found].reverse().find((s) => s.subFilter === 'ETSI.RFC3161');
  const targets: ValidationTarget[] = [];
  if (lastDocTs) {
    const t = tokenParts(lastDocTs.contents);
    if (t.tsaCertificate) targets.push({ contents: lastDocTs.contents, leaves: [{ cert: t.tsaCertificate, pool: t.certificates }] });
  } else {
    for (const sig of found) {
      const parts = signatureParts(sig.contents);
      if (!parts.signer) continue;
      const leaves = [{ cert: parts.signer, pool: parts.certificates }];
      const t = parts.token ? tokenParts(parts.token) : null;
      if (t?.tsaCertificate) leaves.push({ cert: t.tsaCertificate, pool: t.certificates });
      targets.push({ contents: sig.contents, leaves });
    }
  }
  const previous = newestTimestamp(pdf);
  if (!previous || targets.length === 0) throw new SigningIdentityError('the PDF carries no timestamp to renew (it is not B-T or higher)');
  const added = await appendValidationData({ bytes: pdf }, targets, ctx);
  const stamped = await appendDocTimestamp(added.src, ctx.tsa);
  if (!('bytes' in stamped.src)) throw new Error('internal: renewal works in memory');
  const fresh = tokenParts(stamped.token);
  return { pdf: stamped.src.bytes, previous, timestampTime: fresh.time, tsaNotAfter: fresh.tsaNotAfter, missing: added.missing };
}
