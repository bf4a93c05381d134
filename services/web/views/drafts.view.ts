import type { Response } from 'express';
import type { DraftRow, DraftState } from '../../domain/drafts/outgoing-draft';
import { userOf } from '../security/access-policy';
import { html, type SafeHtml } from './html';
import { instantVi } from '../../labels/labels';
import { csrfField, page } from './layout.view';

export const DRAFT_STATE_LABELS: Record<DraftState, string> = {
  head_review: 'Chờ lãnh đạo phòng duyệt',
  leader_review: 'Chờ lãnh đạo duyệt',
  approved: 'Đã duyệt, chờ phát hành',
  returned: 'Bị trả lại',
  sent: 'Đã phát hành',
};
const ACTION_LABELS: Record<string, string> = { submit: 'Trình', approve: 'Duyệt', return: 'Trả lại', resubmit: 'Trình lại', send: 'Cấp số, phát hành' };
const DONE: Record<string, string> = { submit: 'Đã trình dự thảo.', approve: 'Đã duyệt.', return: 'Đã trả lại dự thảo.', resubmit: 'Đã trình lại dự thảo.' };

export function draftListPage(res: Response, rows: { id: string; subject: string; state: DraftState; authorName: string; updatedAt: Date }[], done?: string): SafeHtml {
  const user = userOf(res);
  return page(res, {
    title: 'Dự thảo văn bản đi',
    active: '/drafts',
    flash: done && DONE[done] ? { kind: 'ok', text: DONE[done] } : undefined,
    body: html`<h1>Dự thảo văn bản đi</h1>
${user.role === 'specialist' || user.role === 'unit_head' ? html`<p><a class="button primary" href="/drafts/new">Soạn dự thảo</a></p>` : ''}
${rows.length === 0 ? html`<p class="empty">Không có dự thảo nào.</p>` : html`<table class="list"><thead><tr><th scope="col">Trích yếu</th><th scope="col">Người soạn</th><th scope="col">Trạng thái</th><th scope="col">Cập nhật</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td data-label="Trích yếu"><a href="/drafts/${r.id}">${r.subject}</a></td><td data-label="Người soạn">${r.authorName}</td><td data-label="Trạng thái"><span class="pill st-${r.state}">${DRAFT_STATE_LABELS[r.state]}</span></td><td data-label="Cập nhật">${instantVi(r.updatedAt)}</td></tr>`)}</tbody></table>`}`,
  });
}

function commentForm(res: Response, action: string, label: string, required: boolean, primary = false): SafeHtml {
  return html`<form method="post" action="${action}" class="status-form">${csrfField(res)}
<div class="field"><label for="c-${label}">${required ? 'Ý kiến (bắt buộc)' : 'Ý kiến'}</label><textarea id="c-${label}" name="comment" rows="2" maxlength="2000"${required ? html` required` : ''}></textarea></div>
<button type="submit"${primary ? html` class="primary"` : ''}>${label}</button></form>`;
}

export function draftPage(res: Response, d: DraftRow, done?: string): SafeHtml {
  const user = userOf(res);
  const f = d.form as Record<string, string>;
  const reviewer = (d.state === 'head_review' && user.role === 'unit_head' && user.departmentId === d.departmentId) || (d.state === 'leader_review' && user.role === 'leader');
  const actions: SafeHtml[] = [];
  if (reviewer) actions.push(commentForm(res, `/drafts/${d.id}/approve`, 'Duyệt', false, true), html`<details class="refuse"><summary>Trả lại</summary>${commentForm(res, `/drafts/${d.id}/return`, 'Trả lại', true)}</details>`);
  if (d.state === 'returned' && d.authorId === user.id) {
    actions.push(html`<form method="post" action="/drafts/${d.id}/resubmit" class="status-form"${f.source === 'compose' ? '' : html` enctype="multipart/form-data"`}>${csrfField(res)}
${f.source === 'compose'
  ? html`<div class="field"><label for="rs-body">Nội dung đã sửa</label><textarea id="rs-body" name="bodyText" rows="8">${f.bodyText ?? ''}</textarea></div>`
  : html`<div class="field"><label for="rs-file">Tệp PDF đã sửa (để trống nếu giữ tệp cũ)</label><input id="rs-file" name="file" type="file" accept="application/pdf,.pdf"></div>`}
<div class="field"><label for="rs-comment">Ghi chú</label><textarea id="rs-comment" name="comment" rows="2" maxlength="2000"></textarea></div>
<button type="submit" class="primary">Trình lại</button></form>`);
  }
  if (d.state === 'approved' && user.role === 'clerk') {
    actions.push(html`<form method="post" action="/drafts/${d.id}/issue" class="status-form">${csrfField(res)}<button type="submit" class="primary">Cấp số và phát hành</button></form>`);
  }
  return page(res, {
    title: `Dự thảo: ${f.subject ?? ''}`,
    active: '/drafts',
    flash: done && DONE[done] ? { kind: 'ok', text: DONE[done] } : undefined,
    body: html`<p><a href="/drafts">← Dự thảo văn bản đi</a></p>
<h1>${f.subject ?? ''}</h1>
<div class="two-col"><section class="card meta"><dl>
<dt>Trạng thái</dt><dd id="draft-state" data-state="${d.state}">${DRAFT_STATE_LABELS[d.state]}</dd>
<dt>Người soạn</dt><dd>${d.authorName}</dd>
<dt>Ký hiệu</dt><dd>${f.notation ?? ''}</dd>
<dt>Người ký</dt><dd>${f.signerPosition ?? ''} — ${f.signerName ?? ''}</dd>
<dt>Nơi nhận</dt><dd>${(d.form.recipients as string[] | undefined ?? []).join(', ')}</dd>
${d.documentId ? html`<dt>Văn bản</dt><dd><a href="/outbox/${d.documentId}">Đã phát hành</a></dd>` : ''}
</dl><p><a href="/drafts/${d.id}/preview.pdf" target="_blank" rel="noopener">Xem dự thảo (PDF)</a></p></section>
<section class="card actions-card"><h2 class="h3">Xử lý</h2>${actions.length ? actions : html`<p class="muted">Không có thao tác nào cho bạn.</p>`}</section></div>
<section class="card"><h2 class="h3">Quá trình duyệt</h2><ol class="events" id="draft-steps">${d.steps.map((s) => html`<li><time>${instantVi(s.at)}</time> <strong>${ACTION_LABELS[s.action] ?? s.action}</strong> <span class="muted">(${s.actorName}, ${s.actorRole})</span>${s.comment ? html` — ${s.comment}` : ''}</li>`)}</ol></section>`,
  });
}
