import type { Page } from '../../domain/paging/keyset-page';
import { PAGE_SIZES } from '../../domain/paging/cursor';
import { html, type SafeHtml } from './html';

/** The query of a list page, without its paging, as [name, value] pairs (empty values dropped). */
export type ListQuery = Record<string, string | undefined>;

export function hrefOf(path: string, q: ListQuery, extra: ListQuery = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q, ...extra })) if (v !== undefined && v !== '') params.set(k, v);
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * Paging of a list: the honest count ("50 / 113"), first/previous/next/last, the page size the
 * user chooses (kept in the links), and the exports of the whole list.
 */
export function pager(path: string, q: ListQuery, p: Page<unknown> & { totalExact?: boolean }, limit: number, opts: { exportPath?: string; noun?: string } = {}): SafeHtml {
  const base = { ...q, limit: String(limit) };
  const noun = opts.noun ?? 'văn bản';
  // A broad search says how many it counted before it stopped, and offers the exact count.
  const count =
    p.totalExact === false
      ? html`<p class="count" data-total="${p.total}" data-total-exact="false">Hiển thị <strong>${p.items.length}</strong> / <strong>ít nhất ${p.total.toLocaleString('vi-VN')}</strong> ${noun}, mới nhất trước · <a href="${hrefOf(path, { ...base, count: 'exact' })}">Đếm chính xác và xếp theo mức phù hợp</a></p>`
      : html`<p class="count" data-total="${p.total}">Hiển thị <strong>${p.items.length}</strong> / <strong>${p.total.toLocaleString('vi-VN')}</strong> ${noun}</p>`;
  return html`<nav class="pager" aria-label="Phân trang">
  ${count}
  <ul>
    <li>${p.prevCursor ? html`<a href="${hrefOf(path, base)}" rel="first">« Trang đầu</a>` : html`<span class="muted">« Trang đầu</span>`}</li>
    <li>${p.prevCursor ? html`<a href="${hrefOf(path, base, { cursor: p.prevCursor })}" rel="prev">‹ Trang trước</a>` : html`<span class="muted">‹ Trang trước</span>`}</li>
    <li>${p.nextCursor ? html`<a href="${hrefOf(path, base, { cursor: p.nextCursor })}" rel="next">Trang sau ›</a>` : html`<span class="muted">Trang sau ›</span>`}</li>
    <li>${p.nextCursor ? html`<a href="${hrefOf(path, base, { page: 'last' })}" rel="last">Trang cuối »</a>` : html`<span class="muted">Trang cuối »</span>`}</li>
  </ul>
  <form method="get" action="${path}" class="page-size">
    ${Object.entries(q).filter(([, v]) => v).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
    <label for="limit">Số dòng mỗi trang</label>
    <select id="limit" name="limit" data-autosubmit>${PAGE_SIZES.map((n) => html`<option value="${n}"${n === limit ? html` selected` : ''}>${n}</option>`)}</select>
    <button type="submit" class="secondary">Áp dụng</button>
  </form>
  ${opts.exportPath
    ? html`<p class="exports">Xuất danh sách: <a href="${hrefOf(`${opts.exportPath}.xlsx`, q)}" download>Excel (.xlsx)</a> · <a href="${hrefOf(`${opts.exportPath}.csv`, q)}" download>CSV</a></p>`
    : ''}
</nav>`;
}
