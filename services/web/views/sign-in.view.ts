import type { Response } from 'express';
import { html, type SafeHtml } from './html';
import { csrfField, page } from './layout.view';

export function signInPage(res: Response, o: { username?: string; error?: string; next?: string } = {}): SafeHtml {
  return page(res, {
    title: 'Đăng nhập',
    body: html`<section class="sign-in card">
  <h1>Đăng nhập</h1>
  <p class="hint">Dành cho văn thư, lãnh đạo, cán bộ giám sát và quản trị của các cơ quan.</p>
  ${o.error ? html`<p class="notice error" role="alert" id="sign-in-error">${o.error}</p>` : ''}
  <form method="post" action="/sign-in" novalidate>
    ${csrfField(res)}
    ${o.next ? html`<input type="hidden" name="next" value="${o.next}">` : ''}
    <div class="field">
      <label for="username">Tên đăng nhập</label>
      <input id="username" name="username" autocomplete="username" required maxlength="64" value="${o.username ?? ''}"
        ${o.error ? html`aria-describedby="sign-in-error"` : ''} autofocus>
    </div>
    <div class="field">
      <label for="password">Mật khẩu</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
    </div>
    <button type="submit" class="primary">Đăng nhập</button>
  </form>
</section>`,
  });
}
