import { createHash, X509Certificate } from 'node:crypto';
import { nameAttribute, readCertificateFields } from '../asn1/cert-fields';
import { parseSignedData, ParsedSignedData } from './cms-parser';
import { checkSigner } from './cms-signer-check';
import { decodeTime } from '../asn1/der';
import { OID } from '../asn1/oids';
import type { ByteRange } from './pdf-placeholder';
import { PdfRevisions } from './pdf-revisions';
import { findSignatures, FoundSignature } from './pdf-signature-scan';
import { DssContents, readDss } from './ltv/dss-reader';
import { analyseRevisions, Change } from './revision-diff';
import { WEAK_HASHES, weakKey } from '../asn1/signature-algorithms';
import { TimestampReport, verifyTimestampToken } from './timestamp-token';

// The CPU-bound half of signature validation, with no I/O and no trust decisions, so it can run
// in a worker thread under a time budget: locate every signature, parse its CMS (BER or DER),
// check the covered bytes and the signature value, read its timestamp, and classify what later
// revisions changed. Trust anchors, validation time, revocation and the verdict are decided
// afterwards from this plain-data result (signature-validation.ts).

export interface SignatureAnalysis {
  kind: 'signature' | 'document-timestamp';
  subFilter: string | null;
  byteRange: ByteRange | null;
  /** The range starts at 0, leaves out exactly /Contents and ends at EOF: nothing was appended since. */
  coversWholeDocument: boolean;
  /** Revision N of M the signature covers (1-based); null when the revisions cannot be read. */
  revision: number | null;
  revisions: number | null;
  /** What later revisions changed, each judged allowed or not. */
  changes: Change[];
  /** Why the later revisions cannot be read one way (revision-ambiguity.ts): each a FORMAT_FAILURE. */
  formatProblems: string[];
  digestMatches: boolean;
  signatureValid: boolean;
  /** e.g. "RSA/SHA-256", "RSA-PSS/SHA-256", "ECDSA/SHA-384". */
  algorithm: string | null;
  /** Why the algorithm or key is weak ("SHA-1", "RSA 1024 bit"), null when strong. */
  weakAlgorithm: string | null;
  cmsEncoding: 'BER' | 'DER' | null;
  signerCertificate: Buffer | null;
  /** Every certificate the CMS carries (DER). */
  certificates: Buffer[];
  signerCommonName: string | null;
  /** /M of the signature dictionary: shown, never trusted. */
  claimedTime: Date | null;
  /** The CMS signing-time attribute: shown, never trusted. */
  signingTimeAttribute: Date | null;
  hasSigningCertificateV2: boolean;
  signingCertificateV2Matches: boolean;
  /** The signature timestamp (or, for a document timestamp, the token itself), trust not decided yet. */
  timestamp: TimestampReport | null;
  /** Set when the signature's structure cannot be read at all ("không đọc được chữ ký"). */
  unreadable: string | null;
  reason: string | null;
  location: string | null;
  signerName: string | null;
  docMdpPermissions: number | null;
  /** The newest revision's Document Security Store (B-LT/B-LTA validation data), the same for every signature of the file. */
  dss: DssContents | null;
  problems: string[];
}

function empty(sig: FoundSignature): SignatureAnalysis {
  return {
    kind: sig.subFilter === 'ETSI.RFC3161' ? 'document-timestamp' : 'signature', subFilter: sig.subFilter, byteRange: sig.byteRange,
    coversWholeDocument: false, revision: null, revisions: null, changes: [], formatProblems: [], digestMatches: false, signatureValid: false,
    algorithm: null, weakAlgorithm: null, cmsEncoding: null, signerCertificate: null, certificates: [], signerCommonName: null,
    claimedTime: sig.signingTime, signingTimeAttribute: null, hasSigningCertificateV2: false, signingCertificateV2Matches: false,
    timestamp: null, unreadable: null, reason: sig.reason, location: sig.location, signerName: sig.signerName,
    docMdpPermissions: sig.docMdpPermissions, dss: null, problems: [],
  };
}

const sha1Of = (chunks: Buffer[]): Buffer => chunks.reduce((h, c) => h.update(c), createHash('sha1')).digest();

function checkCms(a: SignatureAnalysis, sig: FoundSignature, parsed: ParsedSignedData, signed: Buffer[]): void {
  const { problems } = a;
  a.cmsEncoding = parsed.encoding;
  if (parsed.encapContentType === OID.tstInfo) {
    a.kind = 'document-timestamp';
    const ts = verifyTimestampToken(sig.contents, signed, null);
    a.timestamp = ts;
    a.digestMatches = ts.imprintMatches;
    a.signatureValid = ts.signatureValid;
    a.signerCommonName = ts.tsaName;
    a.signerCertificate = ts.tsaCertificate ?? null;
    a.certificates = ts.certificates ?? [];
    problems.push(...ts.problems);
    if (ts.signatureValid && !ts.time) a.unreadable = 'dấu thời gian không có thời điểm';
    return;
  }
  if (a.kind === 'document-timestamp') {
    a.unreadable = '/SubFilter là ETSI.RFC3161 nhưng /Contents không phải dấu thời gian';
    return;
  }
  // adbe.pkcs7.sha1: the CMS signs an encapsulated SHA-1 of the byte ranges instead of the ranges
  let content = signed;
  if (parsed.encapContent) {
    const matches = parsed.encapContent.equals(sha1Of(signed));
    if (!matches) problems.push('the encapsulated digest (adbe.pkcs7.sha1) is not the SHA-1 of the signed bytes');
    content = [parsed.encapContent];
    if (!matches) a.digestMatches = false;
  }
  const [signingTime] = parsed.signer.attributes.get(OID.signingTime) ?? [];
  if (signingTime) {
    try {
      a.signingTimeAttribute = decodeTime(signingTime);
    } catch {
      problems.push('the signing-time attribute cannot be read');
    }
  }
  const check = checkSigner(parsed, content, problems);
  a.digestMatches = check.digestMatches && (!parsed.encapContent || parsed.encapContent.equals(sha1Of(signed)));
  a.signatureValid = check.signatureValid;
  a.algorithm = check.algorithm?.label ?? null;
  a.hasSigningCertificateV2 = check.hasSigningCertificateV2;
  a.signingCertificateV2Matches = check.hasSigningCertificateV2 && check.essCertIdMatches;
  a.certificates = parsed.certificates;
  a.signerCertificate = check.signerDer;
  const usedHashes = [check.digestName, check.algorithm?.hash, parsed.encapContent ? 'sha1' : null];
  const weakHash = usedHashes.find((h) => h && WEAK_HASHES.has(h as never));
  a.weakAlgorithm = weakHash ? 'SHA-1' : check.signerCert ? weakKey(check.signerCert.publicKey) : null;
  if (!check.signerDer || !check.signerCert) {
    if (!a.unreadable && !check.algorithm) a.unreadable = problems[problems.length - 1] ?? 'thuật toán không được hỗ trợ';
    return;
  }
  if (!check.algorithm) a.unreadable = `thuật toán chữ ký không được hỗ trợ (${parsed.signer.signatureAlgorithm})`;
  a.signerCommonName = nameAttribute(readCertificateFields(check.signerDer).subject, OID.commonName);
  const [token] = parsed.signer.unsignedAttributes.get(OID.timeStampToken) ?? [];
  if (token) {
    a.timestamp = verifyTimestampToken(token.raw, [parsed.signer.signature], null);
    a.problems.push(...a.timestamp.problems);
  }
}

function analyseOne(pdf: Buffer, sig: FoundSignature, revisions: PdfRevisions | null, docMdp: number | null, deadline: number): SignatureAnalysis {
  const a = empty(sig);
  if (sig.unreadable) {
    a.unreadable = sig.unreadable;
    return a;
  }
  const r = sig.byteRange;
  if (!r) {
    a.unreadable = 'chữ ký không có /ByteRange hợp lệ';
    return a;
  }
  const [p0, l0, p1, l1] = r;
  if (p0 !== 0 || p1 < l0 || p1 + l1 > pdf.length) {
    a.unreadable = `/ByteRange [${r.join(' ')}] nằm ngoài tệp`;
    return a;
  }
  const gapIsContents = !!sig.contentsSpan && sig.contentsSpan[0] === p0 + l0 && sig.contentsSpan[1] === p1;
  if (!gapIsContents) a.problems.push('/ByteRange leaves out more (or other) bytes than the /Contents string');
  a.coversWholeDocument = gapIsContents && p1 + l1 === pdf.length;
  const signed = [pdf.subarray(p0, p0 + l0), pdf.subarray(p1, p1 + l1)];
  let parsed: ParsedSignedData;
  try {
    parsed = parseSignedData(sig.contents);
  } catch (err) {
    a.unreadable = `CMS: ${(err as Error).message}`;
    return a;
  }
  checkCms(a, sig, parsed, signed);
  if (!gapIsContents) a.digestMatches = false;
  if (revisions) {
    try {
      const analysis = analyseRevisions(revisions, p1 + l1, docMdp, deadline);
      a.revision = analysis.revision;
      a.revisions = analysis.revisions;
      a.changes = analysis.changes;
      a.formatProblems = analysis.formatProblems;
    } catch (err) {
      a.problems.push(`the later revisions cannot be compared: ${(err as Error).message}`);
    }
  }
  if (!a.coversWholeDocument && a.revisions === null) {
    // without readable revisions nothing proves the appended bytes are harmless
    a.changes.push({ kind: 'other', revision: 0, page: null, objectNumber: 0, allowed: false, text: 'không đọc được các bản sửa đổi sau chữ ký' });
  }
  return a;
}

/** One analysis per signature dictionary, oldest first. Never throws for a bad signature. */
export function analyseSignatures(pdf: Buffer, budgetMs = Number.POSITIVE_INFINITY): SignatureAnalysis[] {
  const deadline = Date.now() + budgetMs;
  const found = findSignatures(pdf, budgetMs);
  if (found.length === 0) return [];
  let revisions: PdfRevisions | null = null;
  try {
    revisions = new PdfRevisions(pdf);
  } catch {
    revisions = null;
  }
  // the certification signature's DocMDP permissions bind every later change
  const docMdp = found.find((s) => s.docMdpPermissions !== null)?.docMdpPermissions ?? null;
  let dss: DssContents | null = null;
  try {
    dss = revisions ? readDss(revisions) : null;
  } catch {
    dss = null;
  }
  return found.map((sig) => {
    let a: SignatureAnalysis;
    try {
      a = analyseOne(pdf, sig, revisions, docMdp, deadline);
    } catch (err) {
      a = empty(sig);
      a.unreadable = (err as Error).message;
    }
    a.dss = dss;
    return a;
  });
}

/** The certificates of an analysis as X509Certificate objects (the pool path building uses). */
export function certificatePool(a: SignatureAnalysis): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const der of [...a.certificates, ...(a.timestamp?.certificates ?? [])]) {
    try {
      out.push(new X509Certificate(der));
    } catch {
      // a malformed extra certificate cannot be part of a path
    }
  }
  return out;
}
