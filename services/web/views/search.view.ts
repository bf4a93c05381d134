import type { Response } from 'express';
import type { SearchItem } from '../../../contracts';
import type { Page } from '../../domain/paging/keyset-page';
import type { SavedSearch } from '../../domain/search/saved-search.repository';
import { documentTable } from './document-table.view';
import { html, type SafeHtml } from './html';
import { inboxFilterForm } from './inbox.view';
import { csrfField, page } from './layout.view';
import { hrefOf, pager, type ListQuery } from './pager.view';

const BOXES: [string, string][] = [['all', 'Văn bản đến và đi'], ['in', 'Văn bản đến'], ['out', 'Văn bản đi']];

export function searchPage(res: Response, p: Page<SearchItem> | null, f: ListQuery, limit: number, saved: SavedSearch[], flash?: { kind: 'ok' | 'error'; text: string }): SafeHtml {
  const qs = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
  return page(res, {
    title: 'Tìm kiếm văn bản',
    active: '/search',
    flash,
    body: html`<h1>Tìm kiếm văn bản</h1>
<p class="hint">Tìm theo số, ký hiệu, trích yếu, loại văn bản, cơ quan ban hành, người ký, nơi nhận và nội dung tệp; gõ có dấu hay không dấu đều được, viết tắt như UBND, HĐND, QĐ cũng được.</p>
${inboxFilterForm('/search', f, html`<div class="field"><label for="box">Tìm trong</label><select id="box" name="box">${BOXES.map(([v, l]) => html`<option value="${v}"${(f.box ?? 'all') === v ? html` selected` : ''}>${l}</option>`)}</select></div>`)}
${saved.length
  ? html`<section class="card saved" aria-labelledby="h-saved"><h2 id="h-saved">Tìm kiếm đã lưu</h2><ul>${saved.map(
      (s) => html`<li><a href="/search?${s.query}">${s.name}</a>
        <form method="post" action="/search/saved/${s.id}/delete" class="inline">${csrfField(res)}<button type="submit" class="link">Xóa</button></form></li>`,
    )}</ul></section>`
  : ''}
${p === null
  ? html`<p class="empty">Nhập từ khóa hoặc chọn bộ lọc rồi bấm Lọc.</p>`
  : p.total === 0
    ? html`<p class="empty">Không tìm thấy văn bản nào.</p>`
    : html`${documentTable(p.items, 'Kết quả tìm kiếm')}${pager('/search', f, p, limit, { exportPath: '/search/export' })}`}
${qs
  ? html`<form method="post" action="/search/saved" class="card save-search">${csrfField(res)}<input type="hidden" name="qs" value="${qs}">
  <div class="field"><label for="save-name">Lưu tìm kiếm này với tên</label><input id="save-name" name="name" maxlength="100" required></div>
  <button type="submit">Lưu tìm kiếm</button> <a href="${hrefOf('/search', f)}">Liên kết của tìm kiếm</a></form>`
  : ''}`,
  });
}
