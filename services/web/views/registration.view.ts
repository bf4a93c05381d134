import type { Response } from 'express';
import type { RegisterBook } from '../../domain/registers/register-books';
import { todayVn } from '../../domain/registers/register-books';
import { html, type SafeHtml } from './html';
import { dayVi } from '../../labels/labels';
import { csrfField } from './layout.view';

/** The register-book choice and registration date inside the 03 (vào sổ) form. */
export function registrationFields(books: RegisterBook[]): SafeHtml {
  return html`<div class="field"><label for="register-book">Vào sổ</label><select id="register-book" name="registerBook">${books.map(
    (b) => html`<option value="${b.id}"${b.isDefault ? html` selected` : ''}>${b.name}</option>`,
  )}</select></div>
  <div class="field"><label for="registered-on">Ngày vào sổ</label><input id="registered-on" name="registeredOn" type="date" value="${todayVn()}" max="${todayVn()}" required></div>`;
}

/** The registration of a registered copy, with the form that corrects its date. */
export function registrationInfo(res: Response, dispatchId: string, registeredOn: string | null, bookName: string | null, canCorrect: boolean): SafeHtml {
  if (!registeredOn) return html``;
  return html`<section class="card registration" aria-label="Vào sổ"><p>Vào ${bookName ?? 'sổ văn bản đến'} ngày <strong id="registered-on-day">${dayVi(registeredOn)}</strong>.</p>
  ${canCorrect
    ? html`<details><summary>Sửa ngày vào sổ</summary><form method="post" action="/registers/entries/${dispatchId}/date">${csrfField(res)}
      <div class="field"><label for="correct-date">Ngày vào sổ đúng</label><input id="correct-date" name="registeredOn" type="date" value="${registeredOn}" max="${todayVn()}" required></div>
      <button type="submit">Lưu ngày vào sổ</button></form></details>`
    : ''}</section>`;
}
