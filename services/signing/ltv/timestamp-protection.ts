import { X509Certificate } from 'node:crypto';
import type { SignatureAnalysis } from '../signature-analysis';
import type { SignatureReport, ValidationContext } from '../signature-validation';
import { finding, verdictOf } from '../signature-verdict';

// Long-term validation (ETSI EN 319 102-1 §5.6, the archival timestamps of PAdES B-LTA): a
// timestamp proves the time of what it covers only while its TSA certificate is valid, or while
// a later document timestamp — itself still protected — covers it. A signature whose timestamp
// has lost that protection at the validation's "now" has no proof of existence any more:
// OUT_OF_BOUNDS_NO_POE. Renewal (a new document timestamp before the newest TSA certificate
// expires) keeps the chain unbroken.

function tsaNotAfter(a: SignatureAnalysis): number | null {
  const der = a.timestamp?.tsaCertificate;
  if (!der) return null;
  try {
    return new Date(new X509Certificate(der).validTo).getTime();
  } catch {
    return null;
  }
}

/** A sound document timestamp: intact, its value valid, its TSA trusted at its time. */
const soundDocTimestamp = (a: SignatureAnalysis): boolean =>
  a.kind === 'document-timestamp' && a.digestMatches && a.signatureValid && !!a.timestamp?.trusted && !a.unreadable;

const endOf = (a: SignatureAnalysis): number => (a.byteRange ? a.byteRange[2] + a.byteRange[3] : Number.POSITIVE_INFINITY);

export function protectTimestamps(analyses: SignatureAnalysis[], reports: SignatureReport[], ctx: ValidationContext): void {
  const now = (ctx.now ?? new Date()).getTime();
  const memo = new Map<number, boolean>();
  const isProtected = (i: number): boolean => {
    const known = memo.get(i);
    if (known !== undefined) return known;
    memo.set(i, false); // no cycles
    const a = analyses[i]!;
    const until = tsaNotAfter(a);
    let ok = until !== null && until >= now;
    for (let j = i + 1; !ok && j < analyses.length; j++) {
      const later = analyses[j]!;
      if (soundDocTimestamp(later) && endOf(later) > endOf(a) && reports[j]!.verdict.indication === 'passed' && isProtected(j)) ok = true;
    }
    memo.set(i, ok);
    return ok;
  };
  reports.forEach((r, i) => {
    const a = analyses[i]!;
    if (r.validationTimeSource !== 'timestamp' || !a.timestamp || r.verdict.indication === 'failed') return;
    if (isProtected(i)) return;
    const what = a.kind === 'document-timestamp' ? `Dấu thời gian tài liệu ${i + 1}` : `Chữ ký ${i + 1}`;
    const f = finding('OUT_OF_BOUNDS_NO_POE',
      `${what}: chứng thư số của đơn vị cấp dấu thời gian đã hết hạn và không có dấu thời gian tài liệu nào sau đó bảo vệ (cần gia hạn trước khi hết hạn).`);
    r.verdict = verdictOf([...r.verdict.findings, f], r.verdict.message);
  });
}
