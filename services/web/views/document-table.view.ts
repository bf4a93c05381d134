import type { SearchItem } from '../../../contracts';
import { DOCUMENT_STATUS_LABELS, dayVi, documentTypeLabel, instantVi, statusLabel } from '../../labels/labels';
import { lateMark, statusPill, urgencyPill } from './components';
import { html, type SafeHtml } from './html';

function linkOf(r: SearchItem): string {
  return r.box === 'in' ? `/inbox/${r.dispatchId}` : `/outbox/${r.documentId}`;
}

function status(r: SearchItem): SafeHtml {
  if (r.box === 'in' && r.dispatchId) return statusPill(r.dispatchId, r.status);
  return html`<span class="pill" data-document-status="${r.documentId}">${DOCUMENT_STATUS_LABELS[r.status] ?? statusLabel(r.status)}</span>`;
}

/**
 * The list clerks expect (số đến, số/ký hiệu, ngày ban hành, loại, trích yếu, cơ quan ban hành,
 * độ khẩn, hạn xử lý, trạng thái, người xử lý); copies nobody of the agency has opened are bold.
 */
export function documentTable(rows: SearchItem[], caption: string): SafeHtml {
  return html`<table class="list documents">
  <caption class="sr-only">${caption}</caption>
  <thead><tr><th scope="col">Số đến</th><th scope="col">Số, ký hiệu</th><th scope="col">Ngày ban hành</th><th scope="col">Loại</th>
    <th scope="col">Trích yếu</th><th scope="col">Cơ quan ban hành</th><th scope="col">Độ khẩn</th><th scope="col">Hạn xử lý</th>
    <th scope="col">Trạng thái</th><th scope="col">Người xử lý</th><th scope="col">Ngày đến, gửi</th></tr></thead>
  <tbody>${rows.map(
    (r) => html`<tr class="${[r.overdue ? 'is-late' : '', r.unread ? 'is-unread' : ''].filter(Boolean).join(' ')}"${r.unread ? html` data-unread="1"` : ''}>
    <td data-label="Số đến">${r.incomingNumber ?? html`<span class="muted">—</span>`}</td>
    <td data-label="Số, ký hiệu">${r.number}/${r.notation}</td>
    <td data-label="Ngày ban hành">${dayVi(r.issuedOn)}</td>
    <td data-label="Loại">${documentTypeLabel(r.documentType)}</td>
    <td data-label="Trích yếu"><a href="${linkOf(r)}">${r.subject}</a></td>
    <td data-label="Cơ quan ban hành">${r.senderName}</td>
    <td data-label="Độ khẩn">${urgencyPill(r.urgency)}</td>
    <td data-label="Hạn xử lý">${r.dueOn ? dayVi(r.dueOn) : html`<span class="muted">—</span>`}${lateMark(r.overdue)}</td>
    <td data-label="Trạng thái">${status(r)}${r.revokedAt ? html`<p class="revoked-note">Đã thu hồi ${instantVi(r.revokedAt)}${r.revokeReason ? html`: ${r.revokeReason}` : ''}</p>` : ''}</td>
    <td data-label="Người xử lý">${r.handler ?? html`<span class="muted">—</span>`}</td>
    <td data-label="Ngày đến, gửi">${instantVi(r.at)}</td></tr>`,
  )}</tbody></table>`;
}
