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

/** Why a copy has no attempts, by its channel: hosted and paper copies are never sent over the network. */
const EMPTY: Record<string, string> = {
  hosted: 'Bản gửi này không gửi qua mạng: nơi nhận nhận văn bản trong hộp thư trên hệ thống.',
  paper: 'Bản gửi này không gửi qua mạng: văn bản được gửi bằng bản giấy.',
};

export interface AttemptsPageData {
  documentId: string;
  dispatchId: string;
  /** "số/ký hiệu" of the document, for the heading. */
  numberNotation: string;
  recipientName: string;
  recipientCode: string;
  /** The copy's channel (null before its route). */
  channel: string | null;
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
${d.attempts.total === 0 ? html`<p class="empty">${EMPTY[d.channel ?? ''] ?? 'Bản gửi này chưa có lần gửi nào.'}</p>` : html`${attemptTable(d.attempts.items)}
${pager(path, {}, d.attempts, d.limit, { noun: 'lần thử' })}`}`,
  });
}
