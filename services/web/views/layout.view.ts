import type { Response } from 'express';
import { ROLE_LABELS } from '../../domain/users/roles';
import { can, currentUser, type Permission } from '../security/access-policy';
import { CSRF_FIELD } from '../security/csrf.middleware';
import { html, type SafeHtml } from './html';

interface NavItem {
  href: string;
  label: string;
  permission: Permission;
}

const NAV: NavItem[] = [
  { href: '/inbox', label: 'Văn bản đến', permission: 'documents.read' },
  { href: '/send', label: 'Gửi văn bản', permission: 'documents.send' },
  { href: '/outbox', label: 'Văn bản đi', permission: 'documents.send' },
  { href: '/search', label: 'Tìm kiếm', permission: 'documents.read' },
  { href: '/registers', label: 'Sổ văn bản', permission: 'registers.read' },
  { href: '/drafts', label: 'Dự thảo, duyệt', permission: 'documents.read' },
  { href: '/paper', label: 'Ghi nhận gửi giấy', permission: 'documents.send' },
  { href: '/leader', label: 'Phân công, trễ hạn', permission: 'documents.assign' },
  { href: '/monitor', label: 'Thống kê tỷ lệ', permission: 'figures.read' },
  { href: '/admin', label: 'Quản trị', permission: 'directory.manage' },
  { href: '/admin/access', label: 'Lịch sử truy cập', permission: 'directory.manage' },
];

/** The hidden CSRF field every form carries. */
export function csrfField(res: Response): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${String(res.locals.csrf ?? '')}">`;
}

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** The nav entry to mark as current. */
  active?: string;
  flash?: { kind: 'ok' | 'error'; text: string } | undefined;
}

export function page(res: Response, o: PageOptions): SafeHtml {
  const user = currentUser(res);
  const nav = user ? NAV.filter((n) => can(user, n.permission)) : [];
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} — Liên Thông</title>
<link rel="icon" type="image/svg+xml" href="/assets/favicon.svg">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body${user ? html` data-agency="${user.agencyCode}"` : ''}>
<a class="skip" href="#main">Bỏ qua, đến nội dung chính</a>
<header class="top">
  <a class="brand" href="/">Liên Thông</a>
  ${user
    ? html`<div class="who"><span class="agency">${user.agencyName}</span>
      <span class="user"><a href="/account" title="Đổi mật khẩu">${user.fullName ?? user.username}</a> · ${ROLE_LABELS[user.role]}</span>
      <a href="/notifications" class="bell" id="notification-bell" aria-label="Thông báo">Thông báo <span class="count" id="notification-count" hidden></span></a>
      <form method="post" action="/sign-out" class="inline">${csrfField(res)}<button type="submit" class="link">Đăng xuất</button></form></div>`
    : ''}
</header>
${nav.length
  ? html`<nav class="main-nav" aria-label="Chức năng"><ul>${nav.map(
      (n) => html`<li><a href="${n.href}"${o.active === n.href ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
    )}</ul>${savedMenu(res)}</nav>`
  : ''}
<main id="main" tabindex="-1">
${o.flash ? html`<p class="notice ${o.flash.kind}" role="${o.flash.kind === 'error' ? 'alert' : 'status'}">${o.flash.text}</p>` : ''}
<div id="live-notice" class="notice live" role="status" aria-live="polite" hidden></div>
${o.body}
</main>
<footer class="foot">Hệ thống trao đổi văn bản điện tử liên thông — UBND tỉnh Đắk Lắk</footer>
</body>
</html>`;
}

/** The user's saved searches, reusable from the menu (set on res.locals by the web router). */
function savedMenu(res: Response): SafeHtml {
  const saved = (res.locals.savedSearches ?? []) as { name: string; query: string }[];
  if (saved.length === 0) return html``;
  return html`<details class="saved-menu"><summary>Tìm kiếm đã lưu</summary><ul>${saved.map(
    (s) => html`<li><a href="/search?${s.query}">${s.name}</a></li>`,
  )}</ul></details>`;
}
