import type { IncomingSignatureSummary } from '../../domain/documents/arriving-signatures';
import { html, type SafeHtml } from './html';
import { instantVi } from '../../labels/labels';

// The signatures a PDF arrived with, on the document page: one line per signature in Vietnamese
// (its verdict), the details (coverage, later changes, path, timestamp, revocation) on demand.

const MARK: Record<string, string> = { passed: 'Hợp lệ', indeterminate: 'Chưa xác định', failed: 'Không hợp lệ' };

export function arrivingSignatures(summary: unknown): SafeHtml | '' {
  const s = summary as IncomingSignatureSummary | null;
  if (!s?.signatures?.length) return '';
  return html`<section class="card signatures" aria-label="Chữ ký số trên tệp nhận được">
<h2 class="h3">Chữ ký số trên tệp nhận được</h2>
<ul class="signature-lines">${s.signatures.map((l) => html`<li class="signature-line ${l.indication}" data-indication="${l.indication}" data-reason="${l.reason ?? ''}">
  <strong>${MARK[l.indication] ?? l.indication}</strong> — ${l.message}
  <details><summary>Chi tiết</summary><dl>
    <dt>Người ký</dt><dd>${l.signer ?? '—'}</dd>
    <dt>Phạm vi</dt><dd>${l.coversWholeDocument ? 'toàn bộ tệp' : l.revision ? `bản sửa đổi ${l.revision}/${l.revisions}` : '—'}</dd>
    ${l.changes.length ? html`<dt>Thay đổi sau khi ký</dt><dd>${l.changes.map((c) => html`${c.text} (bản ${c.revision}, ${c.allowed ? 'được phép' : 'không được phép'}); `)}</dd>` : ''}
    <dt>Chuỗi chứng thư</dt><dd>${l.chain.join(' ← ') || '—'}</dd>
    <dt>Dấu thời gian</dt><dd>${l.timestamp ? html`${l.timestamp.time ? instantVi(new Date(l.timestamp.time)) : '—'}, ${l.timestamp.tsa ?? '—'}${l.timestamp.trusted ? '' : ' (không tin cậy)'}` : 'không có'}</dd>
    <dt>Thời điểm kiểm tra</dt><dd>${instantVi(new Date(l.validationTime))}</dd>
    <dt>Thu hồi</dt><dd>${l.revocation}</dd>
    <dt>Thuật toán</dt><dd>${l.algorithm ?? '—'}</dd>
    ${l.findings.length > 1 ? html`<dt>Ghi chú</dt><dd>${l.findings.map((f) => html`${f.message} `)}</dd>` : ''}
  </dl></details></li>`)}</ul>
</section>`;
}
