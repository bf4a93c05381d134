import type { Response } from 'express';
import type { DispatchView } from '../../../contracts';
import type { DocumentRow } from '../../domain/documents/document-reads';
import type { InboxRow } from '../queries/inbox.query';
import { can, userOf } from '../security/access-policy';
import { lateMark, statusPill, timeline, urgencyPill } from './components';
import { html, type SafeHtml } from './html';
import { dayVi, documentTypeLabel, instantVi } from '../../labels/labels';
import { csrfField, page } from './layout.view';
import { arrivingSignatures } from './signatures.view';
import type { AccessEntry } from '../../domain/access/access-log.repository';
import type { RegisterBook } from '../../domain/registers/register-books';
import { accessSection } from './access-log.view';
import { registrationFields, registrationInfo } from './registration.view';
import { handlingCard } from './handling.view';
import type { Handling } from '../../domain/handling/handling.repository';
import type { DepartmentRow } from '../../domain/users/department.repository';
import type { ListedUser } from '../../domain/users/user.repository';

export interface IncomingPageData {
  row: InboxRow;
  doc: DocumentRow;
  copy: DispatchView | undefined;
  files: { role: string; name: string | null }[];
  pendingTakeBack: boolean;
  flash?: { kind: 'ok' | 'error'; text: string } | undefined;
  /** Register books for the 03 form, the registration, the access history (issue 19). */
  books?: RegisterBook[];
  registration?: { registeredOn: string | null; bookName: string | null };
  access?: AccessEntry[];
  handling: Handling | undefined;
  departments: DepartmentRow[];
  people: ListedUser[];
}

export function incomingPage(res: Response, d: IncomingPageData): SafeHtml {
  const { row, doc } = d;
  const signed = d.files.some((f) => f.role === 'signed');
  const pdfUrl = `/documents/${doc.id}/files/signed`;
  return page(res, {
    title: `Văn bản đến ${row.number}/${row.notation}`,
    active: '/inbox',
    flash: d.flash,
    body: html`<p><a href="/inbox">← Văn bản đến</a></p>
<h1>${documentTypeLabel(doc.documentType)} số ${doc.number}/${doc.notation}</h1>
<p class="subject">${doc.subject}</p>
${row.revokedAt
  ? html`<p class="notice error" role="status" data-revoked>Đã thu hồi lúc ${instantVi(row.revokedAt)}. Lý do: ${row.revokeReason ?? '(không ghi)'}. Cơ quan gửi đã rút lại văn bản này; không xử lý tiếp.</p>`
  : ''}
<div class="two-col">
<section class="card meta" aria-label="Thông tin văn bản">
  <dl>
    <dt>Nơi gửi</dt><dd>${row.senderName} <span class="muted code">${row.sender}</span></dd>
    <dt>Ngày ban hành</dt><dd>${dayVi(doc.issuedOn)}, ${doc.place}</dd>
    <dt>Người ký</dt><dd>${doc.signer.authority ? `${doc.signer.authority} ` : ''}${doc.signer.position} — ${doc.signer.fullName}</dd>
    <dt>Độ khẩn</dt><dd>${urgencyPill(doc.urgency)}</dd>
    <dt>Hạn xử lý</dt><dd>${row.deadlineOn ? dayVi(row.deadlineOn) : '—'}${lateMark(row.late)}</dd>
    <dt>Ngày đến</dt><dd>${instantVi(row.deliveredAt)}</dd>
    <dt>Trạng thái</dt><dd>${statusPill(row.dispatchId, row.status)}</dd>
    <dt>Số đến</dt><dd id="incoming-number">${row.incomingNumber ? html`<strong>${row.incomingNumber}</strong>` : html`<span class="muted">Chưa vào sổ</span>`}</dd>
  </dl>
  ${d.files.length ? html`<h2 class="h3">Tệp</h2><ul class="files">${d.files.map((f) => html`<li><a href="/documents/${doc.id}/files/${f.role}?download=1">${f.role === 'signed' ? 'Văn bản đã ký số (PDF)' : f.name ?? f.role}</a></li>`)}</ul>` : ''}
</section>
<section class="card actions-card" aria-label="Xử lý">${row.revokedAt ? html`<p class="muted">Văn bản đã thu hồi: không còn thao tác xử lý.</p>` : actions(res, row.dispatchId, row.status, d.pendingTakeBack, d.books ?? [], Boolean(d.handling))}
  ${row.revokedAt ? '' : html`<p class="no-print"><a href="/documents/${doc.id}/print" target="_blank">In văn bản</a></p>`}</section>
</div>
${registrationInfo(res, row.dispatchId, d.registration?.registeredOn ?? null, d.registration?.bookName ?? null, can(userOf(res), 'documents.status'))}
${row.revokedAt ? '' : handlingCard(res, { dispatchId: row.dispatchId, documentId: doc.id, handling: d.handling, departments: d.departments, people: d.people })}
${row.revokedAt ? html`<p class="muted">Tệp văn bản đã được thu hồi cùng văn bản.</p>` : signed
  ? html`<section class="pdf card" aria-label="Nội dung văn bản"><iframe src="${pdfUrl}" title="Văn bản ${doc.number}/${doc.notation} (PDF đã ký số)"></iframe>
    <p class="muted">Không xem được? <a href="${pdfUrl}?download=1">Tải tệp PDF</a>.</p></section>`
  : html`<p class="muted">Văn bản chưa có bản ký số để xem.</p>`}
${arrivingSignatures(doc.incomingSignature)}
${d.copy ? timeline(d.copy, `Tiến trình tại ${userOf(res).agencyName}`) : ''}
${d.access ? accessSection(d.access) : ''}`,
  });
}

function statusForm(res: Response, dispatchId: string, code: string, label: string, opts: { note?: 'required' | 'optional'; department?: boolean; primary?: boolean; books?: RegisterBook[] } = {}): SafeHtml {
  return html`<form method="post" action="/inbox/${dispatchId}/status" class="status-form">
  ${csrfField(res)}<input type="hidden" name="code" value="${code}">
  ${opts.books?.length ? registrationFields(opts.books) : ''}
  ${opts.department ? html`<div class="field"><label for="dept-${code}">Giao cho phòng, đơn vị</label><input id="dept-${code}" name="department" required maxlength="200"></div>` : ''}
  ${opts.note
    ? html`<div class="field"><label for="note-${code}">${opts.note === 'required' ? 'Lý do (bắt buộc)' : 'Ghi chú'}</label><textarea id="note-${code}" name="note" rows="2" maxlength="2000"${opts.note === 'required' ? html` required` : ''}></textarea></div>`
    : ''}
  <button type="submit"${opts.primary ? html` class="primary"` : ''}>${label}</button>
</form>`;
}

function actions(res: Response, id: string, status: string, pendingTakeBack: boolean, books: RegisterBook[], handled: boolean): SafeHtml {
  const user = userOf(res);
  if (!can(user, 'documents.status')) return html`<p class="muted">${handled ? 'Các bước giải quyết ở phần dưới.' : 'Bạn chỉ được xem văn bản này.'}</p>`;
  const out: SafeHtml[] = [];
  if (pendingTakeBack) {
    out.push(html`<p class="notice error">Cơ quan gửi đề nghị lấy lại văn bản này.</p>`);
    out.push(statusForm(res, id, '15', 'Đồng ý cho lấy lại'), statusForm(res, id, '16', 'Không đồng ý', { note: 'optional' }));
  }
  if (status === 'delivered') {
    out.push(statusForm(res, id, '03', 'Tiếp nhận, vào sổ văn bản đến', { primary: true, books }));
    out.push(html`<details class="refuse"><summary>Từ chối nhận</summary>${statusForm(res, id, '02', 'Từ chối văn bản', { note: 'required' })}</details>`);
  }
  // After registration the handling card below carries the steps (trình, phân công, xử lý).
  if (out.length === 0) out.push(html`<p class="muted">${handled ? 'Các bước giải quyết ở phần dưới.' : 'Không còn thao tác nào cho văn bản này.'}</p>`);
  return html`<h2 class="h3">Xử lý</h2>${out}`;
}
