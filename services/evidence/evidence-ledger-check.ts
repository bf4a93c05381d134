import type { X509Certificate } from 'node:crypto';
import { detailKeyOrders } from '../domain/ledger/ledger-detail';
import { hashLedgerRow, ledgerHashInput } from '../domain/ledger/ledger.repository';
import { verifyTimestampToken } from '../signing/timestamp-token';
import { ownRowsMessage, type EvidenceLedger, type EvidenceLedgerRow } from './evidence-parts';

export interface LedgerPathCheck {
  ok: boolean;
  problem?: string;
  /** Which part is at fault: the rows, or the anchor's token. */
  part?: 'rows' | 'token';
  /** The anchor's time when the path ends at a trusted, valid token. */
  anchoredAt?: Date;
  tsaName?: string | null;
}

/** The row's hash input that hashes to its stored hash (any order of the detail's keys), or null. */
function hashedInput(row: EvidenceLedgerRow): string | null {
  const { hash, ...fields } = row;
  const input = ledgerHashInput(fields);
  if (hashLedgerRow(input) === hash) return input;
  for (const detail of detailKeyOrders(fields.detail)) {
    const other = ledgerHashInput({ ...fields, detail });
    if (hashLedgerRow(other) === hash) return other;
  }
  return null;
}

/**
 * Recomputes every row's hash, follows the prev_hash links from the document's first row to the
 * last one, and checks that the anchor token's imprint is the last row's hash, signed by a TSA
 * chaining to `trust` at the token's time.
 */
export function checkLedgerPath(ledger: EvidenceLedger, documentId: string, token: Buffer | undefined, trust: X509Certificate[]): LedgerPathCheck {
  const rows = ledger.rows;
  if (rows.length === 0) return { ok: false, part: 'rows', problem: 'không có dòng nhật ký nào' };
  if (ledger.proof === 'own-rows') return checkOwnRows(ledger, documentId, token, trust);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.chain !== ledger.chain) return { ok: false, part: 'rows', problem: `dòng ${row.id} không thuộc chuỗi ${ledger.chain}` };
    if (hashedInput(row) === null) return { ok: false, part: 'rows', problem: `dòng ${row.id}: nội dung không khớp mã băm của nó` };
    if (i > 0 && row.prev_hash !== rows[i - 1]!.hash) return { ok: false, part: 'rows', problem: `dòng ${row.id}: prev_hash không bằng mã băm của dòng ${rows[i - 1]!.id}` };
  }
  const ids = new Set(rows.map((r) => r.id));
  for (const id of ledger.documentRowIds) {
    const row = rows.find((r) => r.id === id);
    if (!ids.has(id) || row?.document_id !== documentId) return { ok: false, part: 'rows', problem: `dòng ${id} của văn bản không có trong đường băm` };
  }
  const own = rows.filter((r) => r.document_id === documentId).map((r) => r.id);
  if (own.length !== ledger.documentRowIds.length) return { ok: false, part: 'rows', problem: 'danh sách dòng của văn bản không khớp các dòng trong đường băm' };
  if (!ledger.anchor) return { ok: true };
  const last = rows[rows.length - 1]!;
  if (ledger.anchor.rowId !== last.id || ledger.anchor.rowHash !== last.hash) return { ok: false, part: 'rows', problem: 'mốc thời gian không nằm ở dòng cuối của đường băm' };
  if (!token) return { ok: false, part: 'token', problem: 'thiếu tem thời gian của mốc (ledger/anchor.tsr)' };
  const report = verifyTimestampToken(token, [Buffer.from(hashedInput(last)!, 'utf8')], trust);
  if (!report.imprintMatches) return { ok: false, part: 'token', problem: `tem thời gian không phủ mã băm của dòng ${last.id}` };
  if (!report.valid) return { ok: false, part: 'token', problem: `tem thời gian không hợp lệ: ${report.problems.join('; ')}` };
  if (!report.trusted) return { ok: false, part: 'token', problem: `đơn vị cấp dấu thời gian không được tin cậy: ${report.problems.join('; ')}` };
  return { ok: true, anchoredAt: report.time ?? undefined, tsaName: report.tsaName };
}

/** A recipient's bundle: the document's own rows, each hashing to itself, and a token over their hashes. */
function checkOwnRows(ledger: EvidenceLedger, documentId: string, token: Buffer | undefined, trust: X509Certificate[]): LedgerPathCheck {
  const rows = ledger.rows;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.chain !== ledger.chain) return { ok: false, part: 'rows', problem: `dòng ${row.id} không thuộc chuỗi ${ledger.chain}` };
    if (row.document_id !== documentId) return { ok: false, part: 'rows', problem: `dòng ${row.id} không phải của văn bản này` };
    if (hashedInput(row) === null) return { ok: false, part: 'rows', problem: `dòng ${row.id}: nội dung không khớp mã băm của nó` };
    if (i > 0 && row.id <= rows[i - 1]!.id) return { ok: false, part: 'rows', problem: `dòng ${row.id}: không theo thứ tự` };
  }
  if (JSON.stringify(rows.map((r) => r.id)) !== JSON.stringify(ledger.documentRowIds)) return { ok: false, part: 'rows', problem: 'danh sách dòng của văn bản không khớp các dòng trong gói' };
  const message = ownRowsMessage(rows);
  if (!ledger.anchor) return { ok: true };
  if (!token) return { ok: false, part: 'token', problem: 'thiếu tem thời gian của các dòng (ledger/anchor.tsr)' };
  const report = verifyTimestampToken(token, [message], trust);
  if (!report.imprintMatches) return { ok: false, part: 'token', problem: 'tem thời gian không phủ mã băm của các dòng nhật ký trong gói' };
  if (!report.valid) return { ok: false, part: 'token', problem: `tem thời gian không hợp lệ: ${report.problems.join('; ')}` };
  if (!report.trusted) return { ok: false, part: 'token', problem: `đơn vị cấp dấu thời gian không được tin cậy: ${report.problems.join('; ')}` };
  return { ok: true, anchoredAt: report.time ?? undefined, tsaName: report.tsaName };
}
