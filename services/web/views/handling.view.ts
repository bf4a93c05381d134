import type { Response } from 'express';
import type { Handling } from '../../domain/handling/handling.repository';
import type { DepartmentRow } from '../../domain/users/department.repository';
import { ROLE_LABELS } from '../../domain/users/roles';
import type { ListedUser } from '../../domain/users/user.repository';
import { userOf } from '../security/access-policy';
import { html, type SafeHtml } from './html';
import { dayVi, instantVi } from '../../labels/labels';
import { csrfField } from './layout.view';

export const STAGE_LABELS: Record<string, string> = {
  registered: 'Đã vào sổ, chờ trình',
  submitted: 'Đã trình lãnh đạo',
  assigned: 'Đã phân công đơn vị',
  in_progress: 'Đang xử lý',
  completed: 'Đã hoàn thành',
};

const STEP_LABELS: Record<string, string> = {
  register: 'Vào sổ', submit: 'Trình lãnh đạo', assign: 'Phân công', assign_person: 'Giao chuyên viên', note: 'Ý kiến, xử lý',
  complete: 'Hoàn thành', forward: 'Chuyển đơn vị', return: 'Trả lại',
};

export interface HandlingViewData {
  dispatchId: string;
  documentId: string;
  handling: Handling | undefined;
  departments: DepartmentRow[];
  people: ListedUser[];
}

function form(res: Response, action: string, inner: SafeHtml, label: string, opts: { primary?: boolean; multipart?: boolean } = {}): SafeHtml {
  return html`<form method="post" action="${action}" class="status-form"${opts.multipart ? html` enctype="multipart/form-data"` : ''}>${csrfField(res)}${inner}
<button type="submit"${opts.primary ? html` class="primary"` : ''}>${label}</button></form>`;
}

function textArea(id: string, name: string, label: string, required: boolean): SafeHtml {
  return html`<div class="field"><label for="${id}">${label}</label><textarea id="${id}" name="${name}" rows="2" maxlength="2000"${required ? html` required` : ''}></textarea></div>`;
}

function assignForm(res: Response, d: HandlingViewData): SafeHtml {
  const h = d.handling!;
  const people = d.people.filter((p) => p.role === 'unit_head' || p.role === 'specialist');
  return form(res, `/inbox/${d.dispatchId}/assign`, html`
<div class="field"><label for="as-lead">Chủ trì</label><select id="as-lead" name="lead" required>
<option value="">— chọn đơn vị hoặc người —</option>
<optgroup label="Phòng, đơn vị">${d.departments.map((p) => html`<option value="dept:${p.id}"${p.id === h.leadDepartmentId ? html` selected` : ''}>${p.name}</option>`)}</optgroup>
<optgroup label="Cá nhân">${people.map((u) => html`<option value="user:${u.id}">${u.fullName ?? u.username} (${ROLE_LABELS[u.role]}${u.departmentName ? `, ${u.departmentName}` : ''})</option>`)}</optgroup>
</select></div>
<fieldset class="field"><legend>Phối hợp</legend>${d.departments.map((p) => html`<label class="check"><input type="checkbox" name="support" value="${p.id}"> ${p.name}</label>`)}</fieldset>
<div class="field"><label for="as-deadline">Hạn xử lý</label><input id="as-deadline" name="deadlineOn" type="date" value="${h.deadlineOn ?? ''}"></div>
${textArea('as-instruction', 'instruction', 'Ý kiến chỉ đạo', false)}`, 'Phân công', { primary: true });
}

function actions(res: Response, d: HandlingViewData): SafeHtml[] {
  const h = d.handling!;
  const user = userOf(res);
  const out: SafeHtml[] = [];
  if (h.stage === 'completed') return out;
  const inLead = user.departmentId !== null && user.departmentId === h.leadDepartmentId;
  const handler = h.handlerUserId === user.id || h.leadUserId === user.id;
  const support = user.departmentId !== null && h.assignees.some((a) => a.role === 'support' && a.departmentId === user.departmentId);
  // Giao, ý kiến, hoàn thành, trả lại, chuyển: only while a unit or person has the work (the same stages incoming-flow.ts allows).
  const given = h.stage === 'assigned' || h.stage === 'in_progress';
  if (user.role === 'clerk' && h.stage === 'registered') {
    out.push(form(res, `/inbox/${d.dispatchId}/submit`, textArea('sub-note', 'note', 'Ghi chú khi trình', false), 'Trình lãnh đạo', { primary: true }));
  }
  if (user.role === 'leader') {
    out.push(html`<details class="assign"${h.stage === 'registered' || h.stage === 'submitted' ? html` open` : ''}><summary>Phân công xử lý</summary>${assignForm(res, d)}</details>`);
  }
  if (user.role === 'unit_head' && inLead && given) {
    const staff = d.people.filter((p) => p.departmentId === user.departmentId && p.role === 'specialist');
    out.push(html`<details class="assign" open><summary>Giao chuyên viên xử lý</summary>${form(res, `/inbox/${d.dispatchId}/assign-person`, html`
<div class="field"><label for="ap-user">Chuyên viên</label><select id="ap-user" name="userId" required>${staff.map((u) => html`<option value="${u.id}"${u.id === h.handlerUserId ? html` selected` : ''}>${u.fullName ?? u.username}</option>`)}</select></div>
${textArea('ap-note', 'note', 'Ghi chú', false)}`, 'Giao xử lý', { primary: !h.handlerUserId })}</details>`);
  }
  // The leader may give an opinion and complete a copy himself at any open stage (incoming-flow.ts).
  if (!given && user.role !== 'leader') return out;
  const mayProcess = user.role === 'leader' || handler || (inLead && user.role === 'unit_head');
  if (mayProcess || support || inLead) {
    out.push(html`<details class="note" open><summary>Ý kiến, kết quả xử lý</summary>${form(res, `/inbox/${d.dispatchId}/note`, html`${textArea('nt-note', 'note', 'Nội dung', false)}
<div class="field"><label for="nt-file">Tệp kèm theo</label><input id="nt-file" name="file" type="file"></div>`, 'Ghi nhận', { multipart: true })}</details>`);
  }
  if (mayProcess) {
    out.push(form(res, `/inbox/${d.dispatchId}/complete`, textArea('cp-result', 'result', 'Kết quả xử lý (bắt buộc)', true), 'Hoàn thành xử lý', { primary: h.stage === 'in_progress' }));
  }
  if ((user.role === 'unit_head' && inLead) || handler) {
    out.push(html`<details class="refuse"><summary>Trả lại</summary>${form(res, `/inbox/${d.dispatchId}/return`, textArea('rt-reason', 'reason', 'Lý do (bắt buộc)', true), 'Trả lại')}</details>`);
  }
  if (user.role === 'unit_head' && inLead) {
    const others = d.departments.filter((p) => p.id !== h.leadDepartmentId);
    out.push(html`<details class="refuse"><summary>Chuyển đơn vị khác chủ trì</summary>${form(res, `/inbox/${d.dispatchId}/forward`, html`
<div class="field"><label for="fw-dept">Phòng, đơn vị</label><select id="fw-dept" name="departmentId" required>${others.map((p) => html`<option value="${p.id}">${p.name}</option>`)}</select></div>
${textArea('fw-reason', 'reason', 'Lý do (bắt buộc)', true)}`, 'Chuyển')}</details>`);
  }
  return out;
}

/** The handling card of an incoming copy: where it stands, who has it, the deadline, the steps, and the user's actions. */
export function handlingCard(res: Response, d: HandlingViewData): SafeHtml {
  const h = d.handling;
  if (!h) return html``;
  const lead = h.assignees.filter((a) => a.role === 'lead').map((a) => a.name).join(', ');
  const support = h.assignees.filter((a) => a.role === 'support').map((a) => a.name).join(', ');
  return html`<section class="card handling" aria-label="Giải quyết văn bản đến" id="handling">
<h2 class="h3">Giải quyết văn bản đến</h2>
<dl>
  <dt>Tình trạng</dt><dd data-handling-stage="${h.stage}">${STAGE_LABELS[h.stage] ?? h.stage}</dd>
  <dt>Chủ trì</dt><dd id="lead">${lead || '—'}</dd>
  <dt>Phối hợp</dt><dd id="support">${support || '—'}</dd>
  <dt>Hạn xử lý</dt><dd id="deadline">${h.deadlineOn ? dayVi(h.deadlineOn) : '—'}</dd>
  <dt>Ý kiến chỉ đạo</dt><dd>${h.instruction ?? '—'}</dd>
  <dt>Người xử lý</dt><dd id="handler">${h.handlerName ?? '—'}</dd>
  ${h.result ? html`<dt>Kết quả</dt><dd id="result">${h.result}</dd>` : ''}
</dl>
<p><a href="/inbox/${d.dispatchId}/phieu-giai-quyet.pdf" target="_blank" rel="noopener">In phiếu giải quyết văn bản đến (PDF)</a></p>
${actions(res, d)}
<h3 class="h3">Quá trình xử lý</h3>
${h.steps.length
  ? html`<ol class="events steps">${h.steps.map((s) => html`<li><time datetime="${s.at.toISOString()}">${instantVi(s.at)}</time> <strong>${STEP_LABELS[s.kind] ?? s.kind}</strong> <span class="muted">(${s.actorName}, ${s.actorRole})</span>${s.note ? html` — ${s.note}` : ''}${s.fileSha256 ? html` — <a href="/inbox/${d.dispatchId}/step-files/${s.id}">${s.fileName ?? 'tệp'}</a>` : ''}</li>`)}</ol>`
  : html`<p class="muted">Chưa có bước xử lý nào.</p>`}
</section>`;
}
