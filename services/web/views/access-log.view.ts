import { ACCESS_ACTION_LABELS, type AccessEntry } from '../../domain/access/access-log.repository';
import { html, type SafeHtml } from './html';
import { instantVi } from '../../labels/labels';

/** The access history table (on a document, and the agency's page for its administrator). */
export function accessTable(entries: AccessEntry[], withDocument: boolean): SafeHtml {
  if (entries.length === 0) return html`<p class="muted">Chưa có lượt truy cập nào.</p>`;
  return html`<table class="list access-log"><caption class="sr-only">Lịch sử truy cập</caption>
<thead><tr><th scope="col">Thời gian</th><th scope="col">Người truy cập</th><th scope="col">Thao tác</th>${withDocument ? html`<th scope="col">Văn bản</th>` : ''}<th scope="col">Chi tiết</th></tr></thead>
<tbody>${entries.map(
  (e) => html`<tr><td data-label="Thời gian">${instantVi(e.at)}</td><td data-label="Người truy cập">${e.actorName.replace(/^key:.*/, 'Hệ thống của cơ quan (API)')}</td>
  <td data-label="Thao tác">${ACCESS_ACTION_LABELS[e.action] ?? e.action}</td>
  ${withDocument ? html`<td data-label="Văn bản">${e.numberNotation ?? ''} — ${e.subject ?? ''}</td>` : ''}<td data-label="Chi tiết">${e.detail ?? ''}</td></tr>`,
)}</tbody></table>`;
}

export function accessSection(entries: AccessEntry[]): SafeHtml {
  return html`<section class="card" aria-labelledby="h-access"><h2 id="h-access" class="h3">Lịch sử truy cập văn bản</h2>${accessTable(entries, false)}</section>`;
}
