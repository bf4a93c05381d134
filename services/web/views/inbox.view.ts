import type { Response } from 'express';
import { DISPATCH_STATUS_LABELS } from './labels';
import type { InboxFilters, InboxRow } from '../queries/inbox.query';
import { html, type SafeHtml } from './html';
import { dayVi, documentTypeLabel, instantVi } from './labels';
import { page } from './layout.view';
import { lateMark, statusPill, urgencyPill } from './components';

const FILTER_STATUSES = ['delivered', 'accepted', 'assigned', 'processing', 'completed', 'refused', 'revoked'] as const;

export function inboxPage(res: Response, rows: InboxRow[], f: InboxFilters): SafeHtml {
  return page(res, {
    title: 'Văn bản đến',
    active: '/inbox',
    body: html`<h1>Văn bản đến</h1>
<form method="get" action="/inbox" class="filters card" role="search" aria-label="Lọc văn bản đến">
  <div class="field"><label for="q">Số, ký hiệu, trích yếu</label><input id="q" name="q" type="search" value="${f.q ?? ''}"></div>
  <div class="field"><label for="sender">Nơi gửi</label><input id="sender" name="sender" value="${f.sender ?? ''}"></div>
  <div class="field"><label for="from">Đến từ ngày</label><input id="from" name="from" type="date" value="${f.from ?? ''}"></div>
  <div class="field"><label for="to">đến ngày</label><input id="to" name="to" type="date" value="${f.to ?? ''}"></div>
  <div class="field"><label for="status">Trạng thái</label><select id="status" name="status"><option value="">Tất cả</option>
    ${FILTER_STATUSES.map((s) => html`<option value="${s}"${f.status === s ? html` selected` : ''}>${DISPATCH_STATUS_LABELS[s]}</option>`)}</select></div>
  <div class="actions"><button type="submit">Lọc</button> <a href="/inbox">Bỏ lọc</a></div>
</form>
${rows.length === 0
  ? html`<p class="empty">Không có văn bản đến nào${f.q || f.sender || f.from || f.to || f.status ? ' khớp bộ lọc' : ''}.</p>`
  : html`<table class="list">
  <caption class="sr-only">Danh sách văn bản đến, mới nhất trước</caption>
  <thead><tr><th scope="col">Số đến</th><th scope="col">Số, ký hiệu</th><th scope="col">Trích yếu</th><th scope="col">Nơi gửi</th>
    <th scope="col">Độ khẩn</th><th scope="col">Hạn xử lý</th><th scope="col">Trạng thái</th><th scope="col">Ngày đến</th></tr></thead>
  <tbody>${rows.map(
    (r) => html`<tr${r.late ? html` class="is-late"` : r.revokedAt ? html` class="is-revoked"` : ''}>
    <td data-label="Số đến">${r.incomingNumber ?? html`<span class="muted">—</span>`}</td>
    <td data-label="Số, ký hiệu">${r.number}/${r.notation}</td>
    <td data-label="Trích yếu"><a href="/inbox/${r.dispatchId}"><span class="muted">${documentTypeLabel(r.documentType)}:</span> ${r.subject}</a></td>
    <td data-label="Nơi gửi">${r.senderName}</td>
    <td data-label="Độ khẩn">${urgencyPill(r.urgency)}</td>
    <td data-label="Hạn xử lý">${r.dueOn ? dayVi(r.dueOn) : html`<span class="muted">—</span>`}${lateMark(r.late)}</td>
    <td data-label="Trạng thái">${statusPill(r.dispatchId, r.status)}${r.revokedAt ? html`<p class="revoked-note">Đã thu hồi ${instantVi(r.revokedAt)}${r.revokeReason ? html`: ${r.revokeReason}` : ''}</p>` : ''}</td>
    <td data-label="Ngày đến">${instantVi(r.deliveredAt)}</td></tr>`,
  )}</tbody></table>`}`,
  });
}
