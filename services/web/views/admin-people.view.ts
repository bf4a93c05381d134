import type { Response } from 'express';
import { DEPARTMENT_KINDS, type DepartmentRow } from '../../domain/users/department.repository';
import { ROLE_LABELS, ROLES } from '../../domain/users/roles';
import type { ListedUser } from '../../domain/users/user.repository';
import { html, type SafeHtml } from './html';
import { csrfField, page } from './layout.view';

export function userEditPage(res: Response, d: { user: ListedUser; departments: DepartmentRow[]; flash?: { kind: 'ok' | 'error'; text: string } | undefined }): SafeHtml {
  const u = d.user;
  return page(res, {
    title: `Người dùng ${u.username}`,
    active: '/admin',
    flash: d.flash,
    body: html`<p><a href="/admin#users">← Quản trị</a></p>
<h1>${u.username}${u.disabled ? html` <span class="pill late">Đã khóa</span>` : ''}</h1>
<p class="muted">${u.agencyName}</p>
<section class="card"><h2 class="h3">Thông tin</h2>
<form method="post" action="/admin/users/${u.id}" class="grid">${csrfField(res)}
<div class="field"><label for="e-name">Họ tên</label><input id="e-name" name="fullName" maxlength="200" value="${u.fullName ?? ''}"></div>
<div class="field"><label for="e-email">Thư điện tử (nhận bản tin hằng ngày)</label><input id="e-email" name="email" type="email" maxlength="200" value="${u.email ?? ''}"></div>
<div class="field"><label for="e-role">Vai trò</label><select id="e-role" name="role">${ROLES.map((r) => html`<option value="${r}"${r === u.role ? html` selected` : ''}>${ROLE_LABELS[r]}</option>`)}</select></div>
<div class="field"><label for="e-dept">Phòng, đơn vị</label><select id="e-dept" name="department"><option value="">— không —</option>${d.departments.map((p) => html`<option value="${p.id}"${p.id === u.departmentId ? html` selected` : ''}>${p.name}${p.disabled ? ' (ngừng)' : ''}</option>`)}</select></div>
<div class="form-actions"><button type="submit" class="primary">Lưu</button></div></form></section>
<section class="card"><h2 class="h3">Đặt lại mật khẩu</h2>
<form method="post" action="/admin/users/${u.id}/password" class="grid">${csrfField(res)}
<div class="field"><label for="e-password">Mật khẩu mới (ít nhất 10 ký tự)</label><input id="e-password" name="password" type="password" required minlength="10" autocomplete="new-password"></div>
<div class="form-actions"><button type="submit">Đặt mật khẩu</button></div></form></section>
<section class="card"><h2 class="h3">Trạng thái</h2>
${u.disabled
  ? html`<form method="post" action="/admin/users/${u.id}/enable">${csrfField(res)}<button type="submit">Mở khóa tài khoản</button></form>`
  : html`<p>Khóa tài khoản: người dùng không đăng nhập được nữa và các phiên đang mở kết thúc ngay.</p><form method="post" action="/admin/users/${u.id}/disable">${csrfField(res)}<button type="submit" class="danger">Khóa tài khoản</button></form>`}
</section>`,
  });
}

/** The departments section of the admin page. */
export function departmentsSection(res: Response, departments: DepartmentRow[], agencies: { code: string; name: string }[]): SafeHtml {
  return html`<section id="departments" class="card"><h2>Phòng, ban, đơn vị (${departments.length})</h2>
<div class="table-scroll"><table class="list compact"><thead><tr><th scope="col">Cơ quan</th><th scope="col">Tên</th><th scope="col">Người</th><th scope="col">Sửa</th></tr></thead>
<tbody>${departments.map((p) => html`<tr${p.disabled ? html` class="muted"` : ''}><td data-label="Cơ quan">${p.agencyName}</td><td data-label="Tên">${p.name}${p.disabled ? ' (ngừng)' : ''}</td><td data-label="Người">${p.members}</td>
<td><form method="post" action="/admin/departments/${p.id}" class="inline">${csrfField(res)}<input name="name" value="${p.name}" aria-label="Tên ${p.name}" maxlength="200">
<select name="kind" aria-label="Loại">${Object.entries(DEPARTMENT_KINDS).map(([k, v]) => html`<option value="${k}"${k === p.kind ? html` selected` : ''}>${v}</option>`)}</select>
<label class="check"><input type="checkbox" name="disabled" value="1"${p.disabled ? html` checked` : ''}> Ngừng</label><button type="submit" class="small">Lưu</button></form></td></tr>`)}</tbody></table></div>
<details><summary>Thêm phòng, đơn vị</summary>
<form method="post" action="/admin/departments" class="grid">${csrfField(res)}
<div class="field"><label for="d-agency">Cơ quan</label><select id="d-agency" name="agency" required>${agencies.map((a) => html`<option value="${a.code}">${a.name} (${a.code})</option>`)}</select></div>
<div class="field"><label for="d-name">Tên</label><input id="d-name" name="name" required maxlength="200"></div>
<div class="field"><label for="d-kind">Loại</label><select id="d-kind" name="kind">${Object.entries(DEPARTMENT_KINDS).map(([k, v]) => html`<option value="${k}">${v}</option>`)}</select></div>
<div class="form-actions"><button type="submit" class="primary">Thêm</button></div></form></details></section>`;
}
