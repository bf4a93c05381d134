import { X509Certificate } from 'node:crypto';
import type { RevocationChecker, RevocationStatus } from '../pki/revocation/revocation-checker';
import { buildPath, CertificatePath, issuerInPath, oneLine, pathConstraintViolation, pathValidAt } from './certificate-path';
import { certificatePool, SignatureAnalysis } from './signature-analysis';
import { finding, Finding, verdictOf, Verdict } from './signature-verdict';
import type { TimestampReport } from './timestamp-token';
import { DssContents, dssCertificates, dssRevocationStatus } from './ltv/dss-reader';
import { protectTimestamps } from './ltv/timestamp-protection';

// The second half of validation (ETSI EN 319 102-1 basic + timestamp validation): trust anchors,
// validation time, certificate validity at that time, revocation, algorithm strength, and the
// verdict. The validation time is the time of a trusted, intact signature timestamp; otherwise
// now. /M and signingTime are shown, never trusted.

export interface ValidationContext {
  /** Anchors for signer certificates. */
  signingAnchors: X509Certificate[];
  /** Anchors for timestamp authorities. */
  tsaAnchors: X509Certificate[];
  /** Absent: revocation is not checked and reported as unknown. */
  revocation?: RevocationChecker;
  /** The operator accepts "no revocation information" as good. */
  softFail?: boolean;
  now?: Date;
}

export interface RevocationReport {
  status: RevocationStatus['status'] | 'not-checked';
  revokedAt: Date | null;
  source: RevocationStatus['source'];
  notes: string[];
}

export interface SignatureReport extends Omit<SignatureAnalysis, 'signerCertificate' | 'certificates' | 'claimedTime' | 'dss' | 'formatProblems'> {
  /** /M, kept under its old name (claimed, never trusted). */
  signingTime: Date | null;
  hasSigningTimeAttr: boolean;
  chainTrusted: boolean;
  /** Subjects from signer to anchor. */
  chain: string[];
  validationTime: Date;
  validationTimeSource: 'timestamp' | 'now';
  certificateValidAtValidationTime: boolean;
  revocation: RevocationReport;
  verdict: Verdict;
}

/** What a certification signature's DocMDP level lets later revisions do (ISO 32000-1 §12.8.2.2). */
const DOCMDP_ALLOWS: Record<number, string> = {
  1: 'thêm dấu thời gian và dữ liệu kiểm tra chữ ký, không thay đổi nào khác',
  2: 'điền biểu mẫu và ký thêm',
};

const vn = (d: Date): string => d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

function timestampPath(ts: TimestampReport, pool: X509Certificate[], anchors: X509Certificate[]): CertificatePath | null {
  if (!ts.tsaCertificate || !ts.time) return null;
  const path = buildPath(new X509Certificate(ts.tsaCertificate), pool, anchors);
  return path.anchor && pathValidAt(path, ts.time).ok && pathConstraintViolation(path) === null ? path : null;
}

/**
 * Whether a signature timestamp can set the validation time: its TSA chains to a TSA anchor at
 * the stamped time, and that path is not revoked (checked with the same OCSP/CRL module as
 * signers). A revoked TSA certificate makes the timestamp untrusted whatever the revocation date
 * (its key may have stamped any time); an unknown status is reported, not held against it.
 */
async function timestampTrust(ts: TimestampReport, pool: X509Certificate[], ctx: ValidationContext, dss: DssContents | null): Promise<boolean> {
  const path = timestampPath(ts, pool, ctx.tsaAnchors);
  if (!path) return false;
  if (!ctx.revocation && !dss) {
    ts.tsaRevocation = { status: 'not-checked', revokedAt: null, source: null };
    return true;
  }
  // The TSA's status now (a DSS gathered at signing answers offline, B-LT), else online.
  const rev = await revocationOf(path, ctx, dss, ctx.now ?? new Date());
  ts.tsaRevocation = { status: rev.status, revokedAt: rev.revokedAt, source: rev.source };
  return rev.status !== 'revoked';
}

/** From the file's DSS first (offline, B-LT), then online when a checker is given. */
async function revocationOf(path: CertificatePath, ctx: ValidationContext, dss: DssContents | null, at: Date): Promise<RevocationReport> {
  if (!ctx.revocation && !dss) return { status: 'not-checked', revokedAt: null, source: null, notes: ['revocation checking is off'] };
  const notes: string[] = [];
  let source: RevocationStatus['source'] = null;
  // every certificate of the path below the anchor
  for (const cert of path.certificates) {
    if (path.anchor && cert.raw.equals(path.anchor.raw)) break;
    const issuer = issuerInPath(path, cert);
    if (!issuer) break;
    const status = (dss ? dssRevocationStatus(cert, issuer, dss, at) : null)
      ?? (ctx.revocation
        ? await ctx.revocation.status(cert, issuer)
        : { status: 'unknown' as const, revokedAt: null, source: null, evidence: null, notes: ['the DSS holds no usable answer and online checking is off'] });
    notes.push(...status.notes);
    if (status.status !== 'good') return { status: status.status, revokedAt: status.revokedAt, source: status.source, notes };
    source ??= status.source;
  }
  return { status: 'good', revokedAt: null, source, notes };
}

export async function validateSignature(a: SignatureAnalysis, index: number, ctx: ValidationContext): Promise<SignatureReport> {
  const now = ctx.now ?? new Date();
  const { signerCertificate, certificates, claimedTime, dss, formatProblems, ...rest } = a;
  void certificates;
  const findings: Finding[] = [];
  const n = index + 1;
  const report: SignatureReport = {
    ...rest, signingTime: claimedTime, hasSigningTimeAttr: a.signingTimeAttribute !== null, chainTrusted: false, chain: [],
    validationTime: now, validationTimeSource: 'now', certificateValidAtValidationTime: false,
    revocation: { status: 'not-checked', revokedAt: null, source: null, notes: [] },
    verdict: { indication: 'passed', reason: null, message: '', findings: [] },
  };
  const pool = [...certificatePool(a), ...dssCertificates(dss)];
  const isDocTs = a.kind === 'document-timestamp';
  const anchors = isDocTs ? ctx.tsaAnchors : ctx.signingAnchors;

  if (a.unreadable) findings.push(finding('FORMAT_FAILURE', `Không đọc được chữ ký ${n}: ${a.unreadable}.`));
  else if (!a.digestMatches) findings.push(finding('HASH_FAILURE', `Chữ ký ${n}: nội dung đã ký bị thay đổi (mã băm không khớp).`));
  else if (!a.signatureValid) findings.push(finding('SIG_CRYPTO_FAILURE', `Chữ ký ${n}: giá trị chữ ký không đúng với chứng thư số của người ký.`));

  // readers would disagree on what the later revisions contain: nothing can be vouched for
  for (const why of formatProblems) findings.push(finding('FORMAT_FAILURE', `Chữ ký ${n}: không kiểm tra được các bản sửa đổi sau chữ ký vì ${why}.`));

  const forbidden = a.changes.filter((c) => !c.allowed);
  for (const c of forbidden) {
    const rule = c.forbiddenByDocMdp ? `: chữ ký chứng nhận (DocMDP P=${c.forbiddenByDocMdp}) chỉ cho phép ${DOCMDP_ALLOWS[c.forbiddenByDocMdp] ?? 'ít thay đổi hơn'}` : '';
    findings.push(finding('MODIFIED_AFTER_SIGNING', `${c.text.charAt(0).toUpperCase()}${c.text.slice(1)} sau chữ ký ${n} (bản sửa đổi ${c.revision})${rule}.`));
  }

  // validation time: a trusted, intact signature timestamp; otherwise now
  if (a.timestamp && !isDocTs) {
    // an invalid token's TSA is not looked up (no revocation requests on its behalf)
    a.timestamp.trusted = a.timestamp.valid ? await timestampTrust(a.timestamp, pool, ctx, dss) : timestampPath(a.timestamp, pool, ctx.tsaAnchors) !== null;
    if (a.timestamp.valid && a.timestamp.trusted && a.timestamp.time) {
      report.validationTime = a.timestamp.time;
      report.validationTimeSource = 'timestamp';
    } else {
      const tsaRevoked = a.timestamp.tsaRevocation?.status === 'revoked';
      const why = !a.timestamp.valid ? 'không hợp lệ'
        : tsaRevoked ? `có chứng thư số của đơn vị cấp dấu thời gian đã bị thu hồi${a.timestamp.tsaRevocation?.revokedAt ? ` từ ${vn(a.timestamp.tsaRevocation.revokedAt)}` : ''}`
        : 'của đơn vị cấp dấu thời gian không được tin cậy';
      findings.push(finding('TIMESTAMP_UNTRUSTED', `Chữ ký ${n}: dấu thời gian ${why}; chữ ký được kiểm tra tại thời điểm hiện tại.`));
    }
  }
  if (isDocTs && a.timestamp) {
    a.timestamp.trusted = timestampPath(a.timestamp, pool, ctx.tsaAnchors) !== null;
    if (a.timestamp.time) report.validationTime = a.timestamp.time;
    report.validationTimeSource = 'timestamp';
  }

  if (signerCertificate) {
    const signer = new X509Certificate(signerCertificate);
    const built = buildPath(signer, pool, anchors);
    // a path that breaks the certificates' own constraints (KeyUsage, pathLenConstraint) reaches no anchor
    const violation = built.anchor ? pathConstraintViolation(built) : null;
    const path: CertificatePath = violation ? { certificates: built.certificates, anchor: null } : built;
    report.chain = path.certificates.map((c) => oneLine(c.subject));
    report.chainTrusted = !!path.anchor;
    const validity = pathValidAt(path, report.validationTime);
    report.certificateValidAtValidationTime = validity.ok;
    if (violation) {
      findings.push(finding('NO_CERTIFICATE_CHAIN_FOUND', `Chữ ký ${n}: ${violation}, nên không có đường dẫn chứng thư hợp lệ tới chứng thư gốc được tin cậy.`));
    } else if (!path.anchor) {
      findings.push(finding('NO_CERTIFICATE_CHAIN_FOUND', `Chữ ký ${n}: chứng thư số "${oneLine(signer.subject)}" không dẫn tới một chứng thư gốc được tin cậy (cần nhập chứng thư gốc bằng "lienthong pki trust add").`));
    }
    if (!validity.ok) {
      const c = validity.certificate;
      const span = `hiệu lực từ ${vn(new Date(c.validFrom))} đến ${vn(new Date(c.validTo))}`;
      findings.push(validity.reason === 'expired'
        ? finding('OUT_OF_BOUNDS_NO_POE', `Chữ ký ${n}: chứng thư số đã hết hạn tại thời điểm kiểm tra ${vn(report.validationTime)} (${span}) và không có dấu thời gian tin cậy chứng minh chữ ký có trước đó.`)
        : finding('NOT_YET_VALID', `Chữ ký ${n}: chứng thư số chưa có hiệu lực tại thời điểm kiểm tra ${vn(report.validationTime)} (${span}).`));
    }
    if (path.anchor && !a.unreadable && a.digestMatches && a.signatureValid) {
      report.revocation = await revocationOf(path, ctx, dss, report.validationTime);
      const rev = report.revocation;
      if (rev.status === 'revoked' && (!rev.revokedAt || rev.revokedAt <= report.validationTime)) {
        findings.push(finding('REVOKED', `Chữ ký ${n}: chứng thư số đã bị thu hồi${rev.revokedAt ? ` từ ${vn(rev.revokedAt)}` : ''}, trước thời điểm kiểm tra.`));
      } else if ((rev.status === 'unknown' || rev.status === 'not-checked') && !ctx.softFail && !isDocTs) {
        findings.push(finding('NO_REVOCATION_INFO', `Chữ ký ${n}: không có thông tin thu hồi của chứng thư số (CRL/OCSP không truy cập được).`));
      }
    }
  } else if (!a.unreadable) {
    findings.push(finding('FORMAT_FAILURE', `Không đọc được chữ ký ${n}: không tìm thấy chứng thư số của người ký trong chữ ký.`));
  }

  if (a.weakAlgorithm) {
    findings.push(finding('CRYPTO_CONSTRAINTS_FAILURE_NO_POE', `Chữ ký ${n}: dùng thuật toán yếu (${a.weakAlgorithm}), không còn được chấp nhận từ năm 2016.`));
  }
  const who = a.signerCommonName ?? 'không rõ người ký';
  const when = report.validationTimeSource === 'timestamp' ? ` (dấu thời gian ${vn(report.validationTime)})` : '';
  report.verdict = verdictOf(findings, isDocTs ? `Dấu thời gian tài liệu ${n} của ${who} hợp lệ${when}.` : `Chữ ký ${n} của ${who} hợp lệ${when}.`);
  report.problems = [...a.problems, ...findings.filter((f) => f.indication === "failed" || f.code === "FORMAT_FAILURE").map((f) => f.message)];
  return report;
}

export async function validateSignatures(analyses: SignatureAnalysis[], ctx: ValidationContext): Promise<SignatureReport[]> {
  const out: SignatureReport[] = [];
  for (let i = 0; i < analyses.length; i++) out.push(await validateSignature(analyses[i]!, i, ctx));
  // long term: a timestamp whose TSA certificate has expired needs a later document timestamp
  protectTimestamps(analyses, out, ctx);
  return out;
}
