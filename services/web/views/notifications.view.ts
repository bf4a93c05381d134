import type { Response } from 'express';
import type { NotificationRow } from '../../domain/notifications/notify';
import { html, type SafeHtml } from './html';
import { instantVi } from '../../labels/labels';
import { csrfField, page } from './layout.view';
import type { Page } from '../../domain/paging/keyset-page';
import { pager } from './pager.view';

export const NOTIFICATION_LABELS: Record<string, string> = {
  new_document: 'Văn bản đến',
  submitted: 'Trình',
  assigned: 'Được giao',
  due_tomorrow: 'Sắp đến hạn',
  overdue: 'Quá hạn',
  revoked: 'Thu hồi',
  delivery_failing: 'Gửi lỗi',
  approval: 'Duyệt văn bản đi',
  certificate_expiring: 'Chứng thư số',
};

/** The notification centre: one keyset page (the pager the inbox uses); "mark all" reaches up to `newestId`, the newest when the page was read. */
export function notificationsPage(res: Response, p: Page<NotificationRow>, limit: number, newestId: number): SafeHtml {
  const items = p.items;
  return page(res, {
    title: 'Thông báo',
    active: '/notifications',
    body: html`<h1>Thông báo</h1>
<form method="post" action="/notifications/read" class="inline">${csrfField(res)}<input type="hidden" name="upTo" value="${newestId}"><button type="submit" class="small">Đánh dấu đã xem tất cả</button></form>
${pager('/notifications', {}, p, limit, { noun: 'thông báo' })}
${items.length === 0
  ? html`<p class="empty">Chưa có thông báo nào.</p>`
  : html`<ul class="notifications" id="notification-list">${items.map(
      (n) => html`<li class="${n.readAt ? 'read' : 'unread'}${n.urgent ? ' urgent' : ''}" data-kind="${n.kind}">
  <span class="pill${n.urgent || n.kind === 'overdue' ? ' late' : ''}">${NOTIFICATION_LABELS[n.kind] ?? n.kind}</span>
  ${n.link ? html`<a href="${n.link}">${n.title}</a>` : n.title} <time class="muted" datetime="${n.createdAt.toISOString()}">${instantVi(n.createdAt)}</time>
  ${n.readAt ? '' : html`<form method="post" action="/notifications/read" class="inline">${csrfField(res)}<input type="hidden" name="id" value="${n.id}"><button type="submit" class="link">Đã xem</button></form>`}</li>`,
    )}</ul>`}`,
  });
}

export function accountPage(res: Response, flash?: { kind: 'ok' | 'error'; text: string }): SafeHtml {
  return page(res, {
    title: 'Tài khoản',
    active: '/account',
    flash,
    body: html`<h1>Đổi mật khẩu</h1>
<form method="post" action="/account/password" class="grid card">${csrfField(res)}
<div class="field"><label for="pw-current">Mật khẩu hiện tại</label><input id="pw-current" name="current" type="password" required autocomplete="current-password"></div>
<div class="field"><label for="pw-new">Mật khẩu mới (ít nhất 10 ký tự)</label><input id="pw-new" name="password" type="password" required minlength="10" autocomplete="new-password"></div>
<div class="field"><label for="pw-confirm">Nhập lại mật khẩu mới</label><input id="pw-confirm" name="confirm" type="password" required minlength="10" autocomplete="new-password"></div>
<div class="form-actions"><button type="submit" class="primary">Đổi mật khẩu</button></div></form>
<p class="muted">Các phiên đăng nhập khác của bạn sẽ kết thúc.</p>`,
  });
}
