import type { Response } from 'express';
import type { SearchItem } from '../../../contracts';
import type { Page } from '../../domain/paging/keyset-page';
import { documentTable } from './document-table.view';
import { html, type SafeHtml } from './html';
import { page } from './layout.view';

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

export function leaderPage(res: Response, toAssign: Page<SearchItem>, late: Page<SearchItem>): SafeHtml {
  return page(res, {
    title: 'Phân công và trễ hạn',
    active: '/leader',
    body: html`<h1>Phân công và trễ hạn</h1>
${section('h-assign', 'Chờ phân công', toAssign, '/inbox?status=accepted', 'Không có văn bản nào chờ phân công.', 'Văn bản đã vào sổ văn bản đến; mở văn bản để giao cho phòng, đơn vị xử lý.')}
${section('h-late', 'Quá hạn xử lý', late, '/inbox?overdue=1', 'Không có văn bản nào quá hạn.')}`,
  });
}
