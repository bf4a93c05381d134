import type { Response } from 'express';
import type { FailedDispatch, FailedFilter } from '../../domain/dispatches/retry-dispatch';
import { FAILED_STAGES, STAGE_LABELS_VI } from '../../domain/dispatches/failure-reason';
import type { FailingDispatch } from '../queries/delivery-alerts.query';
import { ROLE_LABELS, ROLES } from '../../domain/users/roles';
import type { CertificateExpiry } from '../queries/admin.query';
import type { DirectoryEntry, GroupEntry } from '../queries/directory.query';
import { html, type SafeHtml } from './html';
import { departmentsSection } from './admin-people.view';
import type { DepartmentRow } from '../../domain/users/department.repository';
import { CHANNEL_LABELS, instantVi, reachedViaLabel } from '../../labels/labels';
import { csrfField, page } from './layout.view';
import type { AgencyNotice } from '../../domain/notices/agency-notices';
import { agencyNoticesPanel } from './agency-notices.view';

/** API-key scopes as an admin reads them. */
const SCOPE_LABELS: Record<string, string> = { send: 'gửi văn bản', read: 'đọc', status: 'báo trạng thái', monitor: 'giám sát' };

export interface AdminData {
  agencies: DirectoryEntry[];
  groups: GroupEntry[];
  users: { id: string; username: string; fullName: string | null; role: keyof typeof ROLE_LABELS; agencyName: string; disabled: boolean; departmentName: string | null }[];
  departments: DepartmentRow[];
  keys: { id: string; agencyCode: string; label: string | null; scopes: string[]; createdAt: Date; revokedAt: Date | null }[];
  failed: FailedDispatch[];
  failedFilter?: FailedFilter;
  /** Pushes still retrying past the alert time (alerted once each). */
  failing?: FailingDispatch[];
  certificates: CertificateExpiry[];
  /** The administrator's own agency's notices (delivery failing, certificate expiring). */
  notices?: AgencyNotice[];
  newKey?: { id: string; key: string; agency: string } | undefined;
  flash?: { kind: 'ok' | 'error'; text: string } | undefined;
}

/** The agencies' departments in use, grouped by agency (the server checks the pair). */
function departmentOptions(departments: DepartmentRow[]): SafeHtml {
  const byAgency = new Map<string, DepartmentRow[]>();
  for (const p of departments) if (!p.disabled) byAgency.set(p.agencyName, [...(byAgency.get(p.agencyName) ?? []), p]);
  return html`${[...byAgency].map(([agency, rows]) => html`<optgroup label="${agency}">${rows.map((p) => html`<option value="${p.id}" data-agency="${p.agencyCode}">${p.name}</option>`)}</optgroup>`)}`;
}

function agencyOptions(agencies: DirectoryEntry[]): SafeHtml {
  return html`${agencies.map((a) => html`<option value="${a.code}">${a.name} (${a.code})</option>`)}`;
}

export function adminPage(res: Response, d: AdminData): SafeHtml {
  const names = new Map(d.agencies.map((a) => [a.code, a.name]));
  return page(res, {
    title: 'Quản trị',
    active: '/admin',
    flash: d.flash,
    body: html`<h1>Quản trị</h1>
<nav class="toc" aria-label="Mục quản trị"><a href="#users">Người dùng</a> · <a href="#departments">Phòng, đơn vị</a> · <a href="#keys">Khóa API</a> · <a href="#failed">Gửi lỗi</a> · <a href="#failing">Đang gửi lỗi kéo dài</a> · <a href="#certs">Chứng thư số</a> · <a href="#directory">Danh bạ</a> · <a href="/admin/audit">Nhật ký quản trị</a></nav>
${agencyNoticesPanel(d.notices ?? [])}
${d.newKey
  ? html`<section class="card new-key" role="status"><h2 class="h3">Khóa API mới cho ${names.get(d.newKey.agency) ?? d.newKey.agency}</h2>
  <p>Chỉ hiển thị một lần — hãy sao chép và lưu ngay:</p><p><code class="secret" id="new-key">${d.newKey.key}</code></p></section>`
  : ''}
<section id="users" class="card"><h2>Người dùng (${d.users.length})</h2>
<div class="table-scroll"><table class="list compact"><thead><tr><th scope="col">Tên đăng nhập</th><th scope="col">Họ tên</th><th scope="col">Vai trò</th><th scope="col">Cơ quan</th><th scope="col">Phòng</th></tr></thead>
<tbody>${d.users.map((u) => html`<tr><td data-label="Tên đăng nhập"><a href="/admin/users/${u.id}">${u.username}</a>${u.disabled ? ' (khóa)' : ''}</td><td data-label="Họ tên">${u.fullName ?? ''}</td><td data-label="Vai trò">${ROLE_LABELS[u.role]}</td><td data-label="Cơ quan">${u.agencyName}</td><td data-label="Phòng">${u.departmentName ?? ''}</td></tr>`)}</tbody></table></div>
<details><summary>Thêm người dùng</summary>
<form method="post" action="/admin/users" class="grid">${csrfField(res)}
<div class="field"><label for="u-agency">Cơ quan</label><select id="u-agency" name="agency" required>${agencyOptions(d.agencies)}</select></div>
<div class="field"><label for="u-username">Tên đăng nhập</label><input id="u-username" name="username" required pattern="[a-z0-9._\\-]{3,64}" autocomplete="off"></div>
<div class="field"><label for="u-name">Họ tên</label><input id="u-name" name="fullName" maxlength="200"></div>
<div class="field"><label for="u-role">Vai trò</label><select id="u-role" name="role">${ROLES.map((r) => html`<option value="${r}">${ROLE_LABELS[r]}</option>`)}</select></div>
<div class="field"><label for="u-dept">Phòng, đơn vị</label><select id="u-dept" name="department" aria-describedby="u-dept-hint"><option value="">— không —</option>${departmentOptions(d.departments)}</select>
<p class="hint" id="u-dept-hint">Bắt buộc với lãnh đạo phòng và chuyên viên; phòng phải thuộc cơ quan đã chọn.</p></div>
<div class="field"><label for="u-password">Mật khẩu (ít nhất 10 ký tự)</label><input id="u-password" name="password" type="password" required minlength="10" autocomplete="new-password"></div>
<div class="form-actions"><button type="submit" class="primary">Thêm</button></div></form></details></section>
<section id="keys" class="card"><h2>Khóa API</h2>
<form method="post" action="/admin/api-keys" class="grid">${csrfField(res)}
<div class="field"><label for="k-agency">Cơ quan</label><select id="k-agency" name="agency" required>${agencyOptions(d.agencies)}</select></div>
<div class="field"><label for="k-label">Nhãn</label><input id="k-label" name="label" maxlength="100"></div>
<label class="check"><input type="checkbox" name="scope" value="monitor"> Quyền giám sát (xem số liệu toàn tỉnh)</label>
<div class="form-actions"><button type="submit">Tạo khóa</button></div></form>
<div class="table-scroll"><table class="list compact"><thead><tr><th scope="col">Mã khóa</th><th scope="col">Cơ quan</th><th scope="col">Nhãn</th><th scope="col">Tạo lúc</th><th scope="col">Trạng thái</th></tr></thead>
<tbody>${d.keys.map(
  (k) => html`<tr><td data-label="Mã khóa" class="code">${k.id.slice(0, 8)}…</td><td data-label="Cơ quan">${names.get(k.agencyCode) ?? k.agencyCode}</td><td data-label="Nhãn">${k.label ?? ''}${k.scopes.length ? ` (quyền: ${k.scopes.map((x) => SCOPE_LABELS[x] ?? x).join(', ')})` : ''}</td><td data-label="Tạo lúc">${instantVi(k.createdAt)}</td>
  <td data-label="Trạng thái">${k.revokedAt ? html`Đã thu hồi ${instantVi(k.revokedAt)}` : html`<form method="post" action="/admin/api-keys/${k.id}/revoke" class="inline">${csrfField(res)}<button type="submit" class="danger small">Thu hồi</button></form>`}</td></tr>`,
)}</tbody></table></div></section>
${departmentsSection(res, d.departments, d.agencies)}
${failedSection(res, d, names)}
${failingSection(d, names)}
<section id="certs" class="card"><h2>Chứng thư số sắp hết hạn</h2>
${d.certificates.length === 0 ? html`<p class="empty">Chưa có chứng thư số nào.</p>` : html`<div class="table-scroll"><table class="list compact"><thead><tr><th scope="col">Cơ quan</th><th scope="col">Hết hạn</th><th scope="col">Còn lại</th></tr></thead>
<tbody>${d.certificates.map((c) => html`<tr${c.daysLeft < 30 ? html` class="is-late"` : ''}><td data-label="Cơ quan">${c.agencyName}</td><td data-label="Hết hạn">${instantVi(c.notAfter)}</td><td data-label="Còn lại">${c.daysLeft < 0 ? 'Đã hết hạn' : `${c.daysLeft} ngày`}</td></tr>`)}</tbody></table></div>`}</section>
<section id="directory" class="card"><h2>Danh bạ: ${d.agencies.length} cơ quan, ${d.groups.length} nhóm</h2>
<ul class="groups-list">${d.groups.map((g) => html`<li><strong>${g.name}</strong> <span class="muted code">group:${g.id}</span> — ${g.members} cơ quan</li>`)}</ul>
<details><summary>Danh sách cơ quan</summary><div class="table-scroll"><table class="list compact"><thead><tr><th scope="col">Mã</th><th scope="col">Tên</th><th scope="col">Kênh</th><th scope="col">Nơi phục vụ</th><th scope="col">Nhóm</th></tr></thead>
<tbody>${d.agencies.map((a) => html`<tr data-agency="${a.code}"><td data-label="Mã" class="code">${a.code}${a.altCode ? html`<br><span class="muted">${a.altCode}</span>` : ''}</td><td data-label="Tên">${a.name}</td><td data-label="Kênh">${a.reachedVia === 'local' ? CHANNEL_LABELS[a.channel] ?? a.channel : '—'}</td><td data-label="Nơi phục vụ" data-reached-via="${a.reachedVia}">${reachedViaLabel(a)}${a.lastSeenAt ? html`<br><span class="muted">thấy lần cuối ${instantVi(a.lastSeenAt)}</span>` : ''}</td><td data-label="Nhóm">${a.groups.join(', ')}</td></tr>`)}</tbody></table></div></details></section>`,
  });
}

/** Failed copies: the document, sender, recipient, stage and the reason in Vietnamese, with filters and a retry. */
function failedSection(res: Response, d: AdminData, names: Map<string, string>): SafeHtml {
  const f = d.failedFilter ?? {};
  const agencyChoice = (name: string, label: string, chosen: string | undefined) =>
    html`<div class="field"><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">Tất cả</option>${d.agencies.map(
      (a) => html`<option value="${a.code}"${a.code === chosen ? html` selected` : ''}>${a.name} (${a.code})</option>`,
    )}</select></div>`;
  return html`<section id="failed" class="card"><h2>Bản gửi lỗi (${d.failed.length})</h2>
<form method="get" action="/admin#failed" class="grid filters" aria-label="Lọc bản gửi lỗi">
${agencyChoice('sender', 'Cơ quan gửi', f.sender)}${agencyChoice('recipient', 'Nơi nhận', f.recipient)}
<div class="field"><label for="f-stage">Bước lỗi</label><select id="f-stage" name="stage"><option value="">Tất cả</option>${FAILED_STAGES.map(
    (st) => html`<option value="${st}"${st === f.stage ? html` selected` : ''}>${STAGE_LABELS_VI[st]}</option>`,
  )}</select></div>
<div class="form-actions"><button type="submit" class="small">Lọc</button></div></form>
${d.failed.length === 0 ? html`<p class="empty">Không có bản gửi nào bị lỗi.</p>` : html`<div class="table-scroll"><table class="list compact failed-list"><thead><tr><th scope="col">Số, ký hiệu</th><th scope="col">Trích yếu</th><th scope="col">Cơ quan gửi</th><th scope="col">Nơi nhận</th><th scope="col">Bước lỗi</th><th scope="col">Lý do</th><th scope="col">Số lần thử</th><th scope="col">Lúc</th><th scope="col"></th></tr></thead>
<tbody>${d.failed.map(
    (x) => html`<tr data-failed-dispatch="${x.id}"><td data-label="Số, ký hiệu">${x.number}/${x.notation}</td><td data-label="Trích yếu">${x.subject}</td><td data-label="Cơ quan gửi">${names.get(x.sender) ?? x.sender}</td><td data-label="Nơi nhận">${names.get(x.recipient) ?? x.recipient}${x.channel ? html` <span class="muted">(${CHANNEL_LABELS[x.channel] ?? x.channel})</span>` : ''}</td><td data-label="Bước lỗi">${STAGE_LABELS_VI[x.stage]}</td><td data-label="Lý do" class="error-text">${x.reason}</td><td data-label="Số lần thử">${x.attempts}</td><td data-label="Lúc">${instantVi(x.failedAt)}</td>
  <td><form method="post" action="/admin/dispatches/${x.id}/retry" class="inline">${csrfField(res)}<button type="submit" class="small">Gửi lại</button></form></td></tr>`,
  )}</tbody></table></div>`}</section>`;
}

/** Pushes failing for longer than the alert time and still retrying. */
function failingSection(d: AdminData, names: Map<string, string>): SafeHtml {
  const rows = d.failing ?? [];
  return html`<section id="failing" class="card"><h2>Đang gửi lỗi kéo dài (${rows.length})</h2>
${rows.length === 0 ? html`<p class="empty">Không có bản gửi nào đang lỗi kéo dài.</p>` : html`<div class="table-scroll"><table class="list compact"><thead><tr><th scope="col">Số, ký hiệu</th><th scope="col">Cơ quan gửi</th><th scope="col">Nơi nhận</th><th scope="col">Đang lỗi từ</th><th scope="col">Số lần thử</th><th scope="col">Lỗi cuối</th><th scope="col">Lần tới</th></tr></thead>
<tbody>${rows.map(
    (x) => html`<tr class="is-late"><td data-label="Số, ký hiệu"><a href="/outbox/${x.documentId}">${x.number}/${x.notation}</a></td><td data-label="Cơ quan gửi">${names.get(x.sender) ?? x.sender}</td><td data-label="Nơi nhận">${names.get(x.recipient) ?? x.recipient}</td><td data-label="Đang lỗi từ">${instantVi(x.since)}</td><td data-label="Số lần thử">${x.attempts}</td><td data-label="Lỗi cuối" class="error-text">${x.lastError ?? ''}</td><td data-label="Lần tới">${x.nextAttemptAt ? instantVi(x.nextAttemptAt) : '—'}</td></tr>`,
  )}</tbody></table></div>`}</section>`;
}
