import type { Response } from 'express';
import type { SearchItem } from '../../../contracts';
import type { Page } from '../../domain/paging/keyset-page';
import { documentTable } from './document-table.view';
import type { InboxRow } from '../queries/inbox.query';
import { lateMark, statusPill, urgencyPill } from './components';
import { dayVi } from '../../labels/labels';
import { html, type SafeHtml } from './html';
import { page } from './layout.view';
import type { UnitFigures } from '../queries/unit-dashboard.query';

/** A section's list: the first rows, the honest total, and the way to all of them. */
function section(id: string, title: string, p: Page<SearchItem>, all: string, empty: string, hint?: string): SafeHtml {
  return html`<section aria-labelledby="${id}"><h2 id="${id}">${title} (${p.total.toLocaleString('vi-VN')})</h2>
${hint ? html`<p class="hint">${hint}</p>` : ''}
${p.total === 0
  ? html`<p class="empty">${empty}</p>`
  : html`${documentTable(p.items, title)}
<p class="count">Hiển thị <strong>${p.items.length}</strong> / <strong>${p.total.toLocaleString('vi-VN')}</strong>${p.items.length < p.total ? html` · <a href="${all}">Xem tất cả</a>` : ''}</p>`}
</section>`;
}

function table(rows: InboxRow[], caption: string, empty: string): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<table class="list"><caption class="sr-only">${caption}</caption>
<thead><tr><th scope="col">Số đến</th><th scope="col">Trích yếu</th><th scope="col">Nơi gửi</th><th scope="col">Độ khẩn</th><th scope="col">Hạn xử lý</th><th scope="col">Trạng thái</th></tr></thead>
<tbody>${rows.map(
  (r) => html`<tr${r.late ? html` class="is-late"` : ''}><td data-label="Số đến">${r.incomingNumber ?? '—'}</td>
  <td data-label="Trích yếu"><a href="/inbox/${r.dispatchId}">${r.number}/${r.notation} — ${r.subject}</a></td>
  <td data-label="Nơi gửi">${r.senderName}</td><td data-label="Độ khẩn">${urgencyPill(r.urgency)}</td>
  <td data-label="Hạn xử lý">${r.deadlineOn ? dayVi(r.deadlineOn) : '—'}${lateMark(r.late)}</td><td data-label="Trạng thái">${statusPill(r.dispatchId, r.status)}</td></tr>`,
)}</tbody></table>`;
}

function unitsTable(units: UnitFigures[]): SafeHtml {
  if (units.length === 0) return html`<p class="empty">Chưa có văn bản nào được giải quyết.</p>`;
  return html`<table class="list dash-table" id="unit-figures"><caption class="sr-only">Tình hình giải quyết theo đơn vị</caption>
<thead><tr><th scope="col">Đơn vị chủ trì</th><th scope="col">Đang giải quyết</th><th scope="col">Quá hạn</th><th scope="col">Đã hoàn thành</th><th scope="col">Hoàn thành đúng hạn</th></tr></thead>
<tbody>${units.map((u) => html`<tr${u.overdue ? html` class="is-late"` : ''}><th scope="row" data-label="Đơn vị">${u.name}</th><td class="num" data-label="Đang giải quyết">${u.open}</td><td class="num" data-label="Quá hạn">${u.overdue}</td><td class="num" data-label="Đã hoàn thành">${u.completed}</td><td class="num" data-label="Đúng hạn">${u.completedOnTime}${u.completed ? ` (${Math.round((100 * u.completedOnTime) / u.completed)}%)` : ''}</td></tr>`)}</tbody></table>`;
}

export function leaderPage(res: Response, toAssign: InboxRow[], late: Page<SearchItem>, units: UnitFigures[]): SafeHtml {
  return page(res, {
    title: 'Phân công và trễ hạn',
    active: '/leader',
    body: html`<h1>Phân công và trễ hạn</h1>
<section aria-labelledby="h-units"><h2 id="h-units">Tình hình giải quyết theo đơn vị</h2>
<p class="hint">Quá hạn: chưa vào sổ trước hết ngày làm việc tiếp theo sau khi đến, hoặc chưa hoàn thành khi hết hạn xử lý (ngày nghỉ, lễ, Tết không tính).</p>
${unitsTable(units)}</section>
<section aria-labelledby="h-assign"><h2 id="h-assign">Chờ phân công (${toAssign.length})</h2>
<p class="hint">Văn bản văn thư đã trình, và văn bản hỏa tốc, thượng khẩn, khẩn (chuyển ngay đến lãnh đạo); mở văn bản để giao đơn vị chủ trì, phối hợp và hạn xử lý.</p>
${table(toAssign, 'Văn bản chờ phân công', 'Không có văn bản nào chờ phân công.')}</section>
${section('h-late', 'Quá hạn xử lý', late, '/inbox?overdue=1', 'Không có văn bản nào quá hạn.')}`,
  });
}
