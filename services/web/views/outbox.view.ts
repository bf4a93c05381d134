import type { Response } from 'express';
import type { AgencyNotice } from '../../domain/notices/agency-notices';
import { agencyNoticesPanel } from './agency-notices.view';
import type { DispatchView } from '../../../contracts';
import type { DocumentRow } from '../../domain/documents/document-reads';
import type { OutboxItem } from '../../domain/documents/outbox-list';
import type { Page } from '../../domain/paging/keyset-page';
import { attemptHistory, timeline, urgencyPill, type AttemptHistory } from './components';
import { attemptsHref } from './attempts.view';
import { pager } from './pager.view';
import type { AccessEntry } from '../../domain/access/access-log.repository';
import { accessSection } from './access-log.view';
import { html, type SafeHtml } from './html';
import { DOCUMENT_STATUS_LABELS, dayVi, documentTypeLabel, instantVi, statusLabel } from '../../labels/labels';
import { csrfField, page } from './layout.view';
import { sentFiles, sentPdf } from './sent-pdf.view';

function counts(d: Record<string, number>): SafeHtml {
  const entries = Object.entries(d).sort(([a], [b]) => a.localeCompare(b));
  return html`${entries.map(([s, n]) => html`<span class="pill st-${s}">${statusLabel(s)}: ${n}</span> `)}`;
}

export function outboxPage(res: Response, p: Page<OutboxItem>, limit: number, notices: readonly AgencyNotice[] = []): SafeHtml {
  const items = p.items;
  return page(res, {
    title: 'Văn bản đi',
    active: '/outbox',
    body: html`<h1>Văn bản đi</h1>
${agencyNoticesPanel(notices)}
${items.length === 0
  ? html`<p class="empty">Chưa gửi văn bản nào. <a href="/send">Gửi văn bản</a></p>`
  : html`<table class="list"><caption class="sr-only">Văn bản đã gửi, mới nhất trước</caption>
<thead><tr><th scope="col">Số, ký hiệu</th><th scope="col">Trích yếu</th><th scope="col">Độ khẩn</th><th scope="col">Tình trạng</th><th scope="col">Nơi nhận theo trạng thái</th><th scope="col">Ngày gửi</th></tr></thead>
<tbody>${items.map(outboxRow)}</tbody></table>
${pager('/outbox', {}, p, limit, { exportPath: '/outbox/export' })}`}`,
  });
}

export interface SentPageData {
  doc: DocumentRow & { revokedAt?: Date | null; revokeReason?: string | null };
  dispatches: DispatchView[];
  names: Map<string, string>;
  files: { role: string; name: string | null }[];
  flash?: { kind: 'ok' | 'error'; text: string } | undefined;
  access?: AccessEntry[];
  /** The newest push attempts of each copy that has any, by dispatch id. */
  attempts?: Map<string, AttemptHistory>;
}

export function sentPage(res: Response, d: SentPageData): SafeHtml {
  const { doc } = d;
  return page(res, {
    title: `Văn bản đi ${doc.number}/${doc.notation}`,
    active: '/outbox',
    flash: d.flash,
    body: html`<p><a href="/outbox">← Văn bản đi</a></p>
<h1>${documentTypeLabel(doc.documentType)} số ${doc.number}/${doc.notation}</h1>
<p class="subject">${doc.subject}</p>
<div class="two-col">
<section class="card meta" aria-label="Thông tin văn bản"><dl>
  <dt>Tình trạng</dt><dd data-document-status="${doc.id}">${DOCUMENT_STATUS_LABELS[doc.status] ?? doc.status}</dd>
  <dt>Ngày ban hành</dt><dd>${dayVi(doc.issuedOn)}, ${doc.place}</dd>
  <dt>Người ký</dt><dd>${doc.signer.authority ? `${doc.signer.authority} ` : ''}${doc.signer.position} — ${doc.signer.fullName}</dd>
  <dt>Độ khẩn</dt><dd>${urgencyPill(doc.urgency)}</dd>
  <dt>Hạn xử lý</dt><dd>${doc.dueOn ? dayVi(doc.dueOn) : '—'}</dd>
  <dt data-live-error-label${doc.lastError ? '' : html` hidden`}>Lỗi</dt><dd class="error-text" data-live-error="${doc.id}"${doc.lastError ? '' : html` hidden`}>${doc.lastError ?? ''}</dd>
</dl>
<div data-live-files="${doc.id}">${sentFiles(doc.id, d.files)}</div>
</section>
<section class="card" aria-label="Thu hồi">
${doc.status === 'revoked'
  ? html`<p class="notice error">Văn bản đã được thu hồi.</p>`
  : html`<details class="revoke"><summary>Thu hồi văn bản</summary>
  <form method="post" action="/outbox/${doc.id}/revoke">${csrfField(res)}
  <div class="field"><label for="reason">Lý do thu hồi (bắt buộc)</label><textarea id="reason" name="reason" rows="2" required maxlength="2000"></textarea></div>
  <button type="submit" class="danger">Thu hồi</button></form></details>`}
</section>
</div>
<div data-live-pdf="${doc.id}">${sentPdf(doc, d.files)}</div>
<h2>Nơi nhận (${d.dispatches.length})</h2>
<div class="timelines" id="live-dispatches" data-live-document="${doc.id}">${dispatchTimelines(d)}</div>
<p class="no-print"><a href="/documents/${doc.id}/print" target="_blank">In văn bản</a></p>
${d.access ? accessSection(d.access) : ''}`,
  });
}

/** The recipients' timelines (channel, state, attempts and their history, last error, events): the page and its live refresh. */
export function dispatchTimelines(d: Pick<SentPageData, 'doc' | 'dispatches' | 'names' | 'attempts'>): SafeHtml {
  const overdue = d.doc.dueOn !== null && d.doc.dueOn < new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  return html`${d.dispatches.map((x) => html`<div class="${overdue && !['completed', 'refused', 'revoked', 'paper', 'failed'].includes(x.status) ? 'overdue' : ''}">${timeline(x, d.names.get(x.recipient) ?? x.recipient, attemptHistory(x.id, d.attempts?.get(x.id), attemptsHref(d.doc.id, x.id)))}</div>`)}`;
}

/** One outbox row (the list page and its live refresh). */
export function outboxRow(i: OutboxItem): SafeHtml {
  return html`<tr${i.overdue ? html` class="is-late"` : ''} data-live-row="${i.documentId}">
  <td data-label="Số, ký hiệu">${i.number}/${i.notation}</td>
  <td data-label="Trích yếu"><a href="/outbox/${i.documentId}">${i.subject}</a></td>
  <td data-label="Độ khẩn">${urgencyPill(i.urgency)}</td>
  <td data-label="Tình trạng" data-document-status="${i.documentId}">${DOCUMENT_STATUS_LABELS[i.status] ?? i.status}</td>
  <td data-label="Nơi nhận">${counts(i.dispatches)}${i.overdue ? html`<span class="pill late">Quá hạn: ${i.overdue}</span>` : ''}${i.retrying ? html`<p class="attempt error-text">Đang thử lại: ${i.retrying} nơi nhận, lỗi ${i.lastError ?? ''}</p>` : ''}</td>
  <td data-label="Ngày gửi">${instantVi(i.createdAt)}</td></tr>`;
}
