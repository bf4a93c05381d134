import type { Response } from 'express';
import type { DispatchAttemptView } from '../../../contracts';
import type { Page } from '../../domain/paging/keyset-page';
import { attemptTable } from './components';
import { html, type SafeHtml } from './html';
import { page } from './layout.view';
import { pager } from './pager.view';

/** The page of every attempt of one copy of a sent document (the document page shows the newest). */
export function attemptsHref(documentId: string, dispatchId: string): string {
  return `/outbox/${documentId}/dispatches/${dispatchId}/attempts`;
}

export interface AttemptsPageData {
  documentId: string;
  dispatchId: string;
  /** "số/ký hiệu" of the document, for the heading. */
  numberNotation: string;
  recipientName: string;
  recipientCode: string;
  attempts: Page<DispatchAttemptView>;
  limit: number;
}

/** Every push (relay, axis) attempt of one copy, newest first, in pages, with the pager of the lists. */
export function attemptsPage(res: Response, d: AttemptsPageData): SafeHtml {
  const path = attemptsHref(d.documentId, d.dispatchId);
  return page(res, {
    title: `Các lần gửi tới ${d.recipientName}`,
    active: '/outbox',
    body: html`<p class="no-print"><a href="/outbox/${d.documentId}">‹ Về văn bản ${d.numberNotation}</a></p>
<h1>Các lần gửi văn bản ${d.numberNotation} tới ${d.recipientName} <span class="muted code">${d.recipientCode}</span></h1>
${d.attempts.total === 0 ? html`<p class="empty">Bản gửi này chưa có lần gửi nào qua mạng (nơi nhận dùng hộp thư trên hệ thống, hoặc gửi bản giấy).</p>` : html`${attemptTable(d.attempts.items)}
${pager(path, {}, d.attempts, d.limit, { noun: 'lần thử' })}`}`,
  });
}
