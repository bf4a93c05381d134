import type { Response } from 'express';
import { DOCUMENT_TYPES, type SearchItem } from '../../../contracts';
import type { Page } from '../../domain/paging/keyset-page';
import { DISPATCH_STATUS_LABELS, URGENCY_LABELS } from '../../labels/labels';
import { documentTable } from './document-table.view';
import { html, type SafeHtml } from './html';
import { page } from './layout.view';
import { pager, type ListQuery } from './pager.view';

/** The statuses the inbox filters on; one more filter is one more entry. */
export const INBOX_FILTER_STATUSES = ['delivered', 'accepted', 'assigned', 'processing', 'completed', 'refused', 'revoked'] as const;

function selectOf(id: string, label: string, current: string | undefined, options: [string, string][]): SafeHtml {
  return html`<div class="field"><label for="${id}">${label}</label><select id="${id}" name="${id}"><option value="">Tất cả</option>
    ${options.map(([v, l]) => html`<option value="${v}"${current === v ? html` selected` : ''}>${l}</option>`)}</select></div>`;
}

export function inboxFilterForm(action: string, f: ListQuery, extra: SafeHtml = html``): SafeHtml {
  return html`<form method="get" action="${action}" class="filters card" role="search" aria-label="Lọc văn bản">${extra}
  <div class="field wide"><label for="q">Tìm kiếm (số, ký hiệu, trích yếu, nội dung…)</label><input id="q" name="q" type="search" value="${f.q ?? ''}"></div>
  <div class="field"><label for="sender">Nơi gửi</label><input id="sender" name="sender" value="${f.sender ?? ''}"></div>
  ${selectOf('type', 'Loại văn bản', f.type, Object.entries(DOCUMENT_TYPES).sort(([, a], [, b]) => a.localeCompare(b, 'vi')))}
  ${selectOf('urgency', 'Độ khẩn', f.urgency, Object.entries(URGENCY_LABELS))}
  ${selectOf('status', 'Trạng thái', f.status, INBOX_FILTER_STATUSES.map((s) => [s, DISPATCH_STATUS_LABELS[s]]))}
  <div class="field"><label for="from">Đến từ ngày</label><input id="from" name="from" type="date" value="${f.from ?? ''}"></div>
  <div class="field"><label for="to">đến ngày</label><input id="to" name="to" type="date" value="${f.to ?? ''}"></div>
  <div class="field check"><label><input type="checkbox" name="overdue" value="1"${f.overdue ? html` checked` : ''}> Chỉ văn bản quá hạn</label></div>
  ${f.limit ? html`<input type="hidden" name="limit" value="${f.limit}">` : ''}
  <div class="actions"><button type="submit">Lọc</button> <a href="${action}">Bỏ lọc</a></div>
</form>`;
}

export function inboxPage(res: Response, p: Page<SearchItem>, f: ListQuery, limit: number): SafeHtml {
  const filtered = Object.keys(f).length > 0;
  return page(res, {
    title: 'Văn bản đến',
    active: '/inbox',
    body: html`<h1>Văn bản đến</h1>
${inboxFilterForm('/inbox', f)}
${p.total === 0
  ? html`<p class="empty">Không có văn bản đến nào${filtered ? ' khớp bộ lọc' : ''}.</p>`
  : html`${documentTable(p.items, 'Danh sách văn bản đến, mới nhất trước')}
${pager('/inbox', f, p, limit, { exportPath: '/inbox/export' })}`}`,
  });
}
