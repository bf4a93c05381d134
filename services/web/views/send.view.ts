import type { Response } from 'express';
import { DOCUMENT_TYPES } from '../../../contracts';
import type { DirectoryEntry, GroupEntry } from '../queries/directory.query';
import type { FieldErrors, SendFormValues } from '../send/send-form';
import { describedBy, fieldError } from './components';
import { html, type SafeHtml } from './html';
import { URGENCY_LABELS } from '../../labels/labels';
import { csrfField, page } from './layout.view';
import { recipientPicker } from './recipient-picker.view';

const AUTHORITIES = ['', 'TM.', 'KT.', 'TL.', 'TUQ.', 'Q.'];

export interface SendPageData {
  values: SendFormValues;
  errors: FieldErrors;
  agencies: DirectoryEntry[];
  groups: GroupEntry[];
  self: string;
  canCompose: boolean;
  /** 'draft': a chuyên viên's draft for approval (issue 20) instead of sending at once. */
  mode?: 'send' | 'draft';
  /** The agency's outgoing register books; a choice is offered when there is more than one. */
  books?: { id: string; name: string; isDefault: boolean }[];
}

function bookChoice(d: SendPageData): SafeHtml | string {
  if (!d.books || d.books.length < 2) return '';
  const e = d.errors;
  return html`<div class="field${e.registerBook ? ' has-error' : ''}"><label for="registerBook">Sổ văn bản đi</label>
    <select id="registerBook" name="registerBook"${describedBy(e, 'registerBook')}>${d.books.map(
      (b) => html`<option value="${b.isDefault ? '' : b.id}"${(d.values.registerBook || '') === (b.isDefault ? '' : b.id) ? html` selected` : ''}>${b.name}</option>`,
    )}</select>${fieldError(e, 'registerBook')}</div>`;
}

function text(v: SendFormValues, e: FieldErrors, name: keyof SendFormValues, label: string, extra: SafeHtml | string = ''): SafeHtml {
  return html`<div class="field${e[name] ? ' has-error' : ''}"><label for="${name}">${label}</label>
  <input id="${name}" name="${name}" value="${String(v[name])}"${describedBy(e, name)} ${extra}>${fieldError(e, name)}</div>`;
}

export function sendPage(res: Response, d: SendPageData): SafeHtml {
  const { values: v, errors: e } = d;
  const draft = d.mode === 'draft';
  const base = draft ? '/drafts' : '/send';
  return page(res, {
    title: draft ? 'Soạn dự thảo văn bản đi' : 'Gửi văn bản',
    active: draft ? '/drafts' : '/send',
    flash: e.form ? { kind: 'error', text: e.form } : Object.keys(e).length ? { kind: 'error', text: 'Biểu mẫu còn lỗi; xem các ô được đánh dấu.' } : undefined,
    body: html`<h1>${draft ? 'Soạn dự thảo văn bản đi' : 'Gửi văn bản'}</h1>
${draft ? html`<p class="hint">Dự thảo được trình lãnh đạo phòng, rồi lãnh đạo cơ quan duyệt; văn thư cấp số và phát hành.</p>` : ''}
<form method="post" action="${base}" enctype="multipart/form-data" class="send-form" novalidate>
${csrfField(res)}<input type="hidden" name="formKey" value="${v.formKey}">
<fieldset class="card"><legend>Thể thức văn bản</legend>
<div class="grid">
  <div class="field${e.documentType ? ' has-error' : ''}"><label for="documentType">Loại văn bản</label>
    <select id="documentType" name="documentType"${describedBy(e, 'documentType')}>${Object.entries(DOCUMENT_TYPES).map(
      ([code, name]) => html`<option value="${code}"${v.documentType === code ? html` selected` : ''}>${name}</option>`,
    )}</select>${fieldError(e, 'documentType')}</div>
  ${text(v, e, 'number', 'Số', html`inputmode="numeric" placeholder="Cấp số tự động" aria-label="Số (để trống: cấp số tự động)"`)}
  ${text(v, e, 'notation', 'Ký hiệu', html`placeholder="CV-SNV" required`)}
  ${text(v, e, 'issuedOn', 'Ngày ban hành', html`type="date" required`)}
  ${text(v, e, 'place', 'Địa danh', html`required`)}
</div>
<div class="field${e.subject ? ' has-error' : ''}"><label for="subject">Trích yếu nội dung</label>
  <textarea id="subject" name="subject" rows="2" required maxlength="2000"${describedBy(e, 'subject')}>${v.subject}</textarea>${fieldError(e, 'subject')}</div>
<div class="grid">
  <div class="field"><label for="signerAuthority">Thẩm quyền ký</label><select id="signerAuthority" name="signerAuthority">${AUTHORITIES.map(
    (a) => html`<option value="${a}"${v.signerAuthority === a ? html` selected` : ''}>${a || '(ký trực tiếp)'}</option>`,
  )}</select></div>
  ${text(v, e, 'signerPosition', 'Chức vụ người ký', html`placeholder="GIÁM ĐỐC" required`)}
  ${text(v, e, 'signerName', 'Họ tên người ký', html`required autocomplete="off"`)}
  <div class="field"><label for="urgency">Độ khẩn</label><select id="urgency" name="urgency">${Object.entries(URGENCY_LABELS).map(
    ([k, name]) => html`<option value="${k}"${v.urgency === k ? html` selected` : ''}>${name}</option>`,
  )}</select></div>
  ${text(v, e, 'dueOn', 'Hạn xử lý', html`type="date"`)}
  ${bookChoice(d)}
</div>
</fieldset>
${recipientPicker({ agencies: d.agencies, groups: d.groups, self: d.self, chosen: v.recipients, errors: e })}
<fieldset class="card"><legend>Nội dung</legend>
${d.canCompose
  ? html`<div class="source-choice" role="radiogroup" aria-label="Cách tạo văn bản">
  <label class="check"><input type="radio" name="source" value="upload"${v.source === 'upload' ? html` checked` : ''}> Tải lên tệp PDF đã có</label>
  <label class="check"><input type="radio" name="source" value="compose"${v.source === 'compose' ? html` checked` : ''}> Soạn trên hệ thống</label></div>`
  : html`<input type="hidden" name="source" value="upload">`}
<div class="field source-upload${e.file ? ' has-error' : ''}"><label for="file">Tệp văn bản (PDF)</label>
  <input id="file" name="file" type="file" accept="application/pdf,.pdf"${describedBy(e, 'file')}>${fieldError(e, 'file')}</div>
${d.canCompose
  ? html`<div class="field source-compose${e.bodyText ? ' has-error' : ''}"><label for="bodyText">Nội dung văn bản</label>
  <p class="hint" id="body-hint">Mỗi dòng là một đoạn. Dòng bắt đầu bằng “1.”, “2.” là mục đánh số; “a)”, “b)” hoặc “-” là ý nhỏ; “## ” là đề mục.</p>
  <div class="editor-tools" hidden><button type="button" data-insert="paragraph">+ Đoạn</button> <button type="button" data-insert="item">+ Mục đánh số</button> <button type="button" data-insert="sub">+ Ý nhỏ</button></div>
  <textarea id="bodyText" name="bodyText" rows="12" aria-describedby="body-hint${e.bodyText ? ' err-bodyText' : ''}">${v.bodyText}</textarea>${fieldError(e, 'bodyText')}
  <div class="field"><label for="copies">Lưu</label><input id="copies" name="copies" value="${v.copies}" placeholder="Lưu: VT, TH."></div>
  <button type="submit" formaction="${base}/preview" formtarget="_blank" formnovalidate>Xem trước</button></div>`
  : ''}
</fieldset>
<div class="form-actions"><button type="submit" class="primary">${draft ? 'Trình duyệt' : 'Gửi văn bản'}</button></div>
</form>`,
  });
}
