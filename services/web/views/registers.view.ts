import type { Response } from 'express';
import type { RegisterBook, RegisterKind } from '../../domain/registers/register-books';
import type { IncomingEntry, OutgoingEntry } from '../../domain/registers/register-entries';
import { INCOMING_COLUMNS, OUTGOING_COLUMNS } from '../../export/register-columns';
import { can, userOf } from '../security/access-policy';
import { html, type SafeHtml } from './html';
import { csrfField, page } from './layout.view';
import { hrefOf } from './pager.view';

export interface RegistersPageData {
  kind: RegisterKind;
  year: number;
  book: RegisterBook;
  books: RegisterBook[];
  entries: { kind: 'incoming'; rows: IncomingEntry[] } | { kind: 'outgoing'; rows: OutgoingEntry[] };
}

function table<T>(columns: { header: string; value: (r: T) => string | number | null }[], rows: T[], link: (r: T) => string): SafeHtml {
  return html`<table class="list register"><caption class="sr-only">Sổ đăng ký văn bản</caption>
<thead><tr>${columns.map((c) => html`<th scope="col">${c.header}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${columns.map((c, i) => html`<td data-label="${c.header}">${i === 1 ? html`<a href="${link(r)}">${c.value(r) ?? ''}</a>` : c.value(r) ?? ''}</td>`)}</tr>`)}</tbody></table>`;
}

export function registersPage(res: Response, d: RegistersPageData): SafeHtml {
  const q = { kind: d.kind, book: d.book.id, year: String(d.year) };
  const title = d.kind === 'incoming' ? 'Sổ đăng ký văn bản đến' : 'Sổ đăng ký văn bản đi';
  return page(res, {
    title,
    active: '/registers',
    body: html`<h1>${title}</h1>
<p class="tabs"><a href="/registers?kind=incoming&amp;year=${d.year}"${d.kind === 'incoming' ? html` aria-current="page"` : ''}>Sổ văn bản đến</a> ·
  <a href="/registers?kind=outgoing&amp;year=${d.year}"${d.kind === 'outgoing' ? html` aria-current="page"` : ''}>Sổ văn bản đi</a></p>
<form method="get" action="/registers" class="filters card"><input type="hidden" name="kind" value="${d.kind}">
  <div class="field"><label for="book">Sổ</label><select id="book" name="book">${d.books.map((b) => html`<option value="${b.id}"${b.id === d.book.id ? html` selected` : ''}>${b.name}</option>`)}</select></div>
  <div class="field"><label for="year">Năm</label><input id="year" name="year" type="number" min="2000" max="2100" value="${d.year}"></div>
  <div class="actions"><button type="submit">Xem sổ</button></div>
</form>
<p class="exports"><a href="${hrefOf('/registers/print.pdf', q)}" target="_blank">In sổ (PDF)</a> · Xuất: <a href="${hrefOf('/registers/export.xlsx', q)}" download>Excel (.xlsx)</a> · <a href="${hrefOf('/registers/export.csv', q)}" download>CSV</a></p>
<p class="count">${d.entries.rows.length.toLocaleString('vi-VN')} văn bản trong sổ năm ${d.year}.</p>
${d.entries.rows.length === 0
  ? html`<p class="empty">Sổ chưa có văn bản nào trong năm ${d.year}.</p>`
  : d.entries.kind === 'incoming'
    ? table(INCOMING_COLUMNS, d.entries.rows, (r) => `/inbox/${r.dispatchId}`)
    : table(OUTGOING_COLUMNS, d.entries.rows, (r) => `/outbox/${r.documentId}`)}
${can(userOf(res), d.kind === 'incoming' ? 'documents.status' : 'documents.send')
  ? html`<details class="card"><summary>Mở sổ mới</summary><form method="post" action="/registers/books">${csrfField(res)}<input type="hidden" name="kind" value="${d.kind}">
  <div class="field"><label for="book-name">Tên sổ</label><input id="book-name" name="name" required maxlength="200" placeholder="${d.kind === 'incoming' ? 'Ví dụ: Sổ văn bản đến của Đảng' : 'Ví dụ: Sổ quyết định'}"></div>
  <button type="submit">Mở sổ</button></form></details>`
  : ''}`,
  });
}
