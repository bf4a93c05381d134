import type { Response } from 'express';
import { html, type SafeHtml } from './html';
import { page } from './layout.view';

export function forbiddenPage(res: Response, message: string): SafeHtml {
  return page(res, { title: 'Không được phép', body: html`<h1>Không được phép</h1><p class="notice error" role="alert">${message}</p><p><a href="/">Về trang chính</a></p>` });
}

export function notFoundPage(res: Response): SafeHtml {
  return page(res, {
    title: 'Không tìm thấy',
    body: html`<h1>Không tìm thấy</h1><p>Trang hoặc văn bản này không có, hoặc không thuộc cơ quan của bạn.</p><p><a href="/">Về trang chính</a></p>`,
  });
}

export function errorPage(res: Response, status: number, message: string): SafeHtml {
  return page(res, {
    title: 'Có lỗi',
    body: html`<h1>${status >= 500 ? 'Lỗi hệ thống' : 'Không thực hiện được'}</h1><p class="notice error" role="alert">${message}</p><p><a href="/">Về trang chính</a></p>`,
  });
}
