import type { Response } from 'express';
import type { AuditRow } from '../../domain/audit/audit-log';
import { html, type SafeHtml } from './html';
import { instantVi } from '../../labels/labels';
import { page } from './layout.view';

const ACTION_LABELS: Record<string, string> = {
  'apikey.create': 'Tạo khóa API',
  'apikey.revoke': 'Thu hồi khóa API',
  'user.add': 'Thêm người dùng',
  'agency.add': 'Thêm/sửa cơ quan',
  'agency.import': 'Nhập danh bạ cơ quan',
  'agency.bind_certificate': 'Gắn chứng thư máy khách',
  'dispatch.retry': 'Gửi lại bản gửi lỗi',
  'trust.add': 'Thêm vào danh sách tin cậy',
  'trust.remove': 'Bỏ khỏi danh sách tin cậy',
};

/** The administrator's audit log: administrative actions concerning the agency, newest first. */
export function auditPage(res: Response, rows: AuditRow[]): SafeHtml {
  return page(res, {
    title: 'Nhật ký quản trị',
    active: '/admin',
    body: html`<h1>Nhật ký quản trị</h1>
<p><a href="/admin">← Quản trị</a></p>
<section class="card"><div class="table-scroll"><table class="list compact" id="audit">
<thead><tr><th scope="col">Thời điểm</th><th scope="col">Người thực hiện</th><th scope="col">Thao tác</th><th scope="col">Cơ quan</th><th scope="col">Chi tiết</th></tr></thead>
<tbody>${rows.map(
      (r) => html`<tr><td data-label="Thời điểm"><time datetime="${r.at.toISOString()}">${instantVi(r.at.toISOString())}</time></td>
<td data-label="Người thực hiện">${r.actor ?? ''}${r.actorAgency ? ` (${r.actorAgency})` : ''}</td>
<td data-label="Thao tác" data-action="${r.action}">${ACTION_LABELS[r.action] ?? r.action}</td>
<td data-label="Cơ quan">${r.agency ?? 'tất cả'}</td><td data-label="Chi tiết"><code>${JSON.stringify(r.detail)}</code></td></tr>`,
    )}</tbody></table></div>${rows.length === 0 ? html`<p>Chưa có thao tác quản trị nào.</p>` : ''}</section>`,
  });
}
