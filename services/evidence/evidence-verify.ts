import { createHash, X509Certificate } from 'node:crypto';
import { revisionDigests } from '../signing/ltv/revision-digests';
import { parseReceipt, RECEIPT_STATUS_VI, type ReceiptContent } from '../domain/receipts/receipt-content';
import { vietnamTimeInWords } from '../signing/appearance/signature-stamp';
import { verifySeal } from '../signing/cms-seal';
import { verifyPdfSignatures } from '../signing/pades-verifier';
import { parseManifest } from './asic-manifest';
import { checkLedgerPath } from './evidence-ledger-check';
import {
  ANCHOR_TOKEN_PATH, ASIC_E_MIMETYPE, DISPOSAL_PATH, LEDGER_PATH, MANIFEST_PATH, SEAL_PATH, TIMELINE_PATH,
  type EvidenceLedger, type EvidenceTimeline,
} from './evidence-parts';
import { readZipParts, type ZipPart } from './evidence-zip-read';

export interface EvidenceReport {
  ok: boolean;
  /** The part at fault when not ok. */
  failedPart?: string;
  problem?: string;
  /** What the bundle proves, one Vietnamese sentence a line. */
  lines: string[];
  warnings: string[];
  document?: { id: string; number: string; notation: string; status: string; revoked: boolean; refusedBy: string[]; disposed: boolean };
}

class PartFailure extends Error {
  constructor(readonly part: string, message: string) {
    super(message);
  }
}

const when = (iso: string | Date): string => vietnamTimeInWords(new Date(iso));
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function jsonOf<T>(part: ZipPart): T {
  try {
    return JSON.parse(part.bytes.toString('utf8')) as T;
  } catch {
    throw new PartFailure(part.path, 'không phải JSON hợp lệ');
  }
}

/**
 * Checks an evidence bundle with no database and no network: the ASiC-E structure, the hub's seal
 * over the manifest, every part's SHA-256, the signed PDF's signatures, the ledger's hash path to
 * its timestamped anchor, and every signed receipt — each against the trust anchors given.
 */
export async function verifyEvidenceBundle(file: string, trustPem: string[], now: Date = new Date()): Promise<EvidenceReport> {
  const lines: string[] = [];
  const warnings: string[] = [];
  const report: EvidenceReport = { ok: false, lines, warnings };
  try {
    await check(file, trustPem.map((p) => new X509Certificate(p)), now, report);
    report.ok = true;
    lines.push('KẾT QUẢ: HỢP LỆ — gói bằng chứng nguyên vẹn và mọi chứng cứ trong đó đều kiểm chứng được.');
  } catch (err) {
    const part = err instanceof PartFailure ? err.part : undefined;
    report.failedPart = part;
    report.problem = (err as Error).message;
    lines.push(`KẾT QUẢ: KHÔNG HỢP LỆ — ${part ? `phần "${part}": ` : ''}${(err as Error).message}`);
  }
  return report;
}

async function check(file: string, trust: X509Certificate[], now: Date, report: EvidenceReport): Promise<void> {
  const { lines, warnings } = report;
  const parts = await readZipParts(file);
  const byPath = new Map<string, ZipPart>();
  for (const p of parts) {
    if (byPath.has(p.path)) throw new PartFailure(p.path, 'phần này xuất hiện hai lần trong gói');
    byPath.set(p.path, p);
  }
  const first = parts[0];
  if (!first || first.path !== 'mimetype') throw new PartFailure('mimetype', 'phần "mimetype" phải đứng đầu gói ASiC-E');
  if (first.compressionMethod !== 0 || first.bytes.toString('ascii') !== ASIC_E_MIMETYPE) throw new PartFailure('mimetype', `phải là "${ASIC_E_MIMETYPE}", không nén`);
  for (const p of parts) if (p.error) throw new PartFailure(p.path, `không đọc được phần này (${p.error}): đã bị thay đổi`);

  // The hub's seal over the manifest.
  const manifest = byPath.get(MANIFEST_PATH);
  const seal = byPath.get(SEAL_PATH);
  if (!manifest) throw new PartFailure(MANIFEST_PATH, 'thiếu bản kê');
  if (!seal) throw new PartFailure(SEAL_PATH, 'thiếu con dấu của bản kê');
  const sealed = verifySeal(seal.bytes, trust, now, manifest.bytes);
  if (!sealed.ok) {
    if (sealed.signatureValid && !sealed.digestMatches) throw new PartFailure(MANIFEST_PATH, 'bản kê đã bị thay đổi sau khi niêm phong');
    if (!sealed.signatureValid || !sealed.digestMatches) throw new PartFailure(SEAL_PATH, `con dấu không hợp lệ: ${sealed.problems.join('; ')}`);
    throw new PartFailure(SEAL_PATH, `con dấu không được tin cậy: ${sealed.problems.join('; ')}`);
  }
  const { sigReference, entries } = parseManifest(manifest.bytes);
  if (sigReference !== SEAL_PATH) throw new PartFailure(MANIFEST_PATH, `bản kê phải trỏ tới ${SEAL_PATH}`);
  const listed = new Set<string>();
  for (const e of entries) {
    const p = byPath.get(e.path);
    if (!p) throw new PartFailure(e.path, 'phần có trong bản kê nhưng không có trong gói');
    if (sha256(p.bytes) !== e.sha256) throw new PartFailure(e.path, 'nội dung đã bị thay đổi: mã SHA-256 không khớp bản kê');
    listed.add(e.path);
  }
  for (const p of parts) {
    if (!listed.has(p.path) && p.path !== 'mimetype' && p.path !== MANIFEST_PATH && p.path !== SEAL_PATH) throw new PartFailure(p.path, 'phần không có trong bản kê (được thêm vào sau)');
  }
  lines.push(`✓ Cấu trúc ASiC-E: "mimetype" đứng đầu; bản kê ${MANIFEST_PATH} liệt kê ${entries.length} phần, mã SHA-256 của từng phần đều khớp.`);
  lines.push(`✓ Bản kê được niêm phong bởi "${sealed.signer ?? '?'}" (${SEAL_PATH}); chứng thư dẫn tới gốc tin cậy đã cho.`);

  // The timeline: what the hub recorded.
  const timelinePart = byPath.get(TIMELINE_PATH);
  if (!timelinePart) throw new PartFailure(TIMELINE_PATH, 'thiếu dòng thời gian');
  const t = jsonOf<EvidenceTimeline>(timelinePart);
  const doc = t.document;
  lines.push(`✓ Văn bản số ${doc.number}/${doc.notation} (${doc.documentType}, ngày ${doc.issuedOn}) "${doc.subject}" do ${doc.senderName} (${doc.sender}) gửi; gói lập lúc ${when(t.generatedAt)} cho ${t.generatedFor}.`);

  // The files: each part's digest is the one recorded; the signed PDF's signatures hold.
  const fileBySha = new Map<string, ZipPart>();
  for (const f of t.files) {
    if (!f.part) continue;
    const p = byPath.get(f.part);
    if (!p) throw new PartFailure(f.part, 'tệp ghi trong dòng thời gian không có trong gói');
    if (sha256(p.bytes) !== f.sha256) throw new PartFailure(f.part, 'tệp không khớp mã SHA-256 ghi trong dòng thời gian');
    fileBySha.set(f.sha256, p);
  }
  const signed = t.files.find((f) => f.role === 'signed');
  const signedPart = signed?.part ? byPath.get(signed.part) : undefined;
  if (signedPart) await checkSignedPdf(signedPart, trust, lines, warnings);
  else if (!doc.disposedAt) warnings.push('⚠ Gói không có bản PDF đã ký (văn bản chưa được ký).');

  // The ledger path and its anchor.
  const ledgerPart = byPath.get(LEDGER_PATH);
  let ledger: EvidenceLedger | undefined;
  if (!ledgerPart) warnings.push('⚠ Gói không có dòng nhật ký nào của văn bản.');
  else {
    ledger = jsonOf<EvidenceLedger>(ledgerPart);
    const token = byPath.get(ANCHOR_TOKEN_PATH)?.bytes;
    const lc = checkLedgerPath(ledger, doc.id, token, trust);
    if (!lc.ok) throw new PartFailure(lc.part === 'token' ? ANCHOR_TOKEN_PATH : LEDGER_PATH, lc.problem ?? 'không hợp lệ');
    const own = ledger.rows.filter((r) => r.document_id === doc.id);
    const kinds = [...new Set(own.map((r) => r.kind))].join(', ');
    if (ledger.proof === 'own-rows') {
      lines.push(`✓ Nhật ký: ${own.length} dòng của văn bản (${kinds}) trong chuỗi "${ledger.chain}"; mọi mã băm tính lại đều khớp (gói của cơ quan nhận chỉ chứa các dòng của văn bản này).`);
      if (lc.anchoredAt) lines.push(`✓ Dấu thời gian: các dòng trên được đóng dấu thời gian RFC 3161 lúc ${when(lc.anchoredAt)} bởi "${lc.tsaName ?? '?'}": chúng đã tồn tại trước thời điểm đó.`);
    } else {
      lines.push(`✓ Nhật ký: ${own.length} dòng của văn bản (${kinds}) trong chuỗi "${ledger.chain}"; đường băm ${ledger.rows.length} dòng liền mạch, mọi mã băm tính lại đều khớp.`);
      if (lc.anchoredAt) lines.push(`✓ Mốc thời gian: dòng ${ledger.anchor!.rowId} được đóng dấu thời gian RFC 3161 lúc ${when(lc.anchoredAt)} bởi "${lc.tsaName ?? '?'}": mọi dòng trên đã tồn tại trước thời điểm đó.`);
    }
    if (!lc.anchoredAt) warnings.push('⚠ Các dòng nhật ký chưa được neo thời gian (chưa có dấu thời gian RFC 3161 cho chuỗi): chúng chỉ chứng minh thứ tự, chưa chứng minh thời điểm.');
  }

  // Receipts.
  const receiptParts = parts.filter((p) => p.path.startsWith('receipts/'));
  for (const p of receiptParts) {
    const r = verifySeal(p.bytes, trust, now);
    if (!r.ok || !r.content) throw new PartFailure(p.path, `biên nhận không hợp lệ: ${r.problems.join('; ')}`);
    let c: ReceiptContent;
    try {
      c = parseReceipt(r.content);
    } catch (err) {
      throw new PartFailure(p.path, (err as Error).message);
    }
    if (c.documentId !== doc.id) throw new PartFailure(p.path, 'biên nhận nói về một văn bản khác');
    // a renewed PDF (issue 21: DSS and document timestamp appended) begins with the version the receipt named
    if (signed && c.signedDocumentSha256 !== signed.sha256 && !(c.signedDocumentSha256 && signedRevisions(signedPart, signed.sha256).has(c.signedDocumentSha256))) {
      throw new PartFailure(p.path, 'mã SHA-256 của văn bản trong biên nhận khác bản PDF đã ký trong gói');
    }
    const x = t.dispatches.find((d) => d.id === c.dispatchId);
    const ev = x?.events.find((e) => e.id === c.eventId);
    if (!x || !ev || ev.code !== c.statusCode || new Date(ev.at).getTime() !== new Date(c.at).getTime()) {
      throw new PartFailure(p.path, 'biên nhận không khớp sự kiện trong dòng thời gian');
    }
    lines.push(`✓ Biên nhận có ký của "${r.signer ?? '?'}": ${x.recipientName} (${x.recipient}) ${RECEIPT_STATUS_VI[c.statusCode]}${c.incomingNumber ? `, số đến ${c.incomingNumber}` : ''} lúc ${when(c.at)}.`);
  }
  if (receiptParts.length === 0) warnings.push('⚠ Gói không có biên nhận nào (chưa có bản nào đến nơi).');

  // What happened to the document: revoked, refused, disposed.
  const revokedRows = ledger?.rows.filter((r) => r.document_id === doc.id && r.kind === 'dispatch_revoked') ?? [];
  const revoked = doc.status === 'revoked' || !!doc.revokedAt;
  if (revoked) warnings.push(`⚠ VĂN BẢN ĐÃ BỊ THU HỒI${doc.revokedAt ? ` lúc ${when(doc.revokedAt)}` : ''}${doc.revokeReason ? `, lý do: "${doc.revokeReason}"` : ''}${revokedRows.length ? ` (ghi trong nhật ký: ${revokedRows.length} dòng dispatch_revoked)` : ''}.`);
  const refusedBy: string[] = [];
  for (const x of t.dispatches) {
    const refusal = x.events.find((e) => e.code === '02');
    if (refusal) {
      refusedBy.push(x.recipient);
      warnings.push(`⚠ ${x.recipientName} (${x.recipient}) ĐÃ TỪ CHỐI văn bản (02) lúc ${when(refusal.at)}${refusal.note ? `: "${refusal.note}"` : ''}.`);
    }
  }
  const disposal = byPath.get(DISPOSAL_PATH);
  if (disposal) {
    const d = jsonOf<{ approvedBy: string; approvedAt: string; retainUntil: string; files: { role: string; sha256: string }[] }>(disposal);
    warnings.push(`⚠ Văn bản ĐÃ ĐƯỢC TIÊU HỦY theo thời hạn lưu trữ (hết hạn ${String(d.retainUntil).slice(0, 10)}), duyệt bởi ${d.approvedBy} lúc ${when(d.approvedAt)}; còn giữ mã SHA-256 của ${d.files?.length ?? 0} tệp đã xóa.`);
  }
  report.document = { id: doc.id, number: doc.number, notation: doc.notation, status: doc.status, revoked, refusedBy, disposed: !!disposal };
  lines.push(...warnings);
}

const revisionsOf = new WeakMap<object, Set<string>>();
function signedRevisions(part: ZipPart | undefined, sha256: string): Set<string> {
  if (!part) return new Set([sha256]);
  let set = revisionsOf.get(part);
  if (!set) revisionsOf.set(part, (set = revisionDigests(part.bytes)));
  return set;
}

async function checkSignedPdf(part: ZipPart, trust: X509Certificate[], lines: string[], warnings: string[]): Promise<void> {
  const reports = await verifyPdfSignatures(part.bytes, trust.map((c) => Buffer.from(c.raw)));
  if (reports.length === 0) throw new PartFailure(part.path, 'bản PDF không có chữ ký nào');
  for (const s of reports) {
    if (s.verdict.indication === 'failed' || !s.digestMatches || !s.signatureValid) throw new PartFailure(part.path, `chữ ký không hợp lệ: ${s.verdict.message}`);
    if (!s.chainTrusted) throw new PartFailure(part.path, `chứng thư của người ký không dẫn tới gốc tin cậy đã cho: ${s.verdict.message}`);
    const ts = s.timestamp;
    lines.push(
      `✓ ${s.kind === 'document-timestamp' ? 'Dấu thời gian tài liệu' : 'Chữ ký số'} của "${s.signerCommonName ?? '?'}" trên ${part.path}: nội dung nguyên vẹn, chuỗi chứng thư tin cậy` +
        (ts?.time && ts.valid && ts.trusted ? `; dấu thời gian lúc ${when(ts.time)} bởi "${ts.tsaName ?? '?'}"` : '') + '.',
    );
    if (s.revocation.status === 'not-checked') warnings.push(`⚠ Tình trạng thu hồi chứng thư của "${s.signerCommonName ?? '?'}" không được kiểm tra (kiểm tra ngoại tuyến, không có mạng).`);
  }
}
