import type { DispatchAttemptView, DispatchView } from '../../../contracts';
import { html, type SafeHtml } from './html';
import { actorLabel, ATTEMPT_OUTCOME_LABELS, CHANNEL_LABELS, EVENT_CODE_LABELS, instantSecondsVi, instantVi, statusLabel, urgencyLabel } from '../../labels/labels';

/** A status pill that live updates find by its dispatch id. */
export function statusPill(dispatchId: string, status: string): SafeHtml {
  return html`<span class="pill st-${status}" data-dispatch-status="${dispatchId}">${statusLabel(status)}</span>`;
}

export function urgencyPill(urgency: string): SafeHtml {
  return urgency === 'normal' ? html`<span class="muted">${urgencyLabel(urgency)}</span>` : html`<span class="pill urgent">${urgencyLabel(urgency)}</span>`;
}

export function lateMark(late: boolean): SafeHtml {
  return late ? html` <span class="pill late" title="Đã quá hạn xử lý">Quá hạn</span>` : html``;
}

/** One recipient copy's timeline: channel, status and every event with its actor and note; `extra` after the attempt line (the sender's attempt history). */
export function timeline(d: DispatchView, recipientName: string, extra: SafeHtml = html``): SafeHtml {
  return html`<section class="timeline card" aria-label="Tiến trình gửi tới ${recipientName}">
  <h3>${recipientName} <span class="muted code">${d.recipient}</span></h3>
  <p>Kênh: ${d.channel ? CHANNEL_LABELS[d.channel] ?? d.channel : 'chưa định tuyến'} · Trạng thái: ${statusPill(d.id, d.status)}
  ${d.incomingNumber ? html` · Số đến: <strong>${d.incomingNumber}</strong>` : ''}</p>
  ${attemptLine(d)}
  ${extra}
  ${d.events.length
    ? html`<ol class="events">${d.events.map(
        (e) => html`<li><time datetime="${e.at}">${instantVi(e.at)}</time> <strong>${EVENT_CODE_LABELS[e.code] ?? e.code}</strong>${e.actor ? html` <span class="muted">(${actorLabel(e.actor)})</span>` : ''}${e.note ? html` — ${e.note}` : ''}</li>`,
      )}</ol>`
    : html`<p class="muted">Chưa có sự kiện.</p>`}
</section>`;
}

export function fieldError(errors: Record<string, string>, name: string): SafeHtml {
  const e = errors[name];
  return e ? html`<p class="field-error" id="err-${name}">${e}</p>` : html``;
}

export function describedBy(errors: Record<string, string>, name: string): SafeHtml {
  return errors[name] ? html` aria-invalid="true" aria-describedby="err-${name}"` : html``;
}

/** The newest attempts of a push copy and how many it has in all (push-attempts.repository.ts). */
export interface AttemptHistory {
  total: number;
  items: DispatchAttemptView[];
}

/**
 * A push (relay, axis) copy's attempts, newest first: when each began and ended, the outcome in
 * Vietnamese, the endpoint's HTTP status and the error. An interrupted attempt's error says that
 * whether the endpoint got it is unknown. The round (đợt gửi) is shown once an operator retry has
 * started a second one: the attempt numbers start again at 1 in each round.
 */
export function attemptTable(items: DispatchAttemptView[]): SafeHtml {
  const proof = (a: DispatchAttemptView) => (a.proof === 'receipt' ? ' (có biên nhận)' : a.proof === 'http-2xx' ? ' (HTTP 2xx)' : '');
  const rounds = items.some((a) => a.round > 1);
  return html`<div class="table-scroll"><table class="list compact"><caption class="sr-only">Các lần gửi, mới nhất trước</caption>
  <thead><tr><th scope="col">Lần</th>${rounds ? html`<th scope="col">Đợt</th>` : ''}<th scope="col">Bắt đầu</th><th scope="col">Kết quả</th><th scope="col">Lúc</th><th scope="col">Mã HTTP</th><th scope="col">Lỗi</th></tr></thead>
  <tbody>${items.map(
    (a) => html`<tr data-attempt-outcome="${a.outcome}" data-attempt-round="${a.round}"><td data-label="Lần">${a.attempt}</td>${rounds ? html`<td data-label="Đợt">${a.round}</td>` : ''}<td data-label="Bắt đầu">${a.startedAt ? html`<time datetime="${a.startedAt}">${instantSecondsVi(a.startedAt)}</time>` : '—'}</td><td data-label="Kết quả">${ATTEMPT_OUTCOME_LABELS[a.outcome] ?? a.outcome}${proof(a)}</td><td data-label="Lúc"><time datetime="${a.at}">${instantSecondsVi(a.at)}</time></td><td data-label="Mã HTTP">${a.httpStatus ?? '—'}</td><td data-label="Lỗi" class="error-text">${a.error ?? ''}</td></tr>`,
  )}</tbody></table></div>`;
}

/**
 * A copy's newest attempts folded under a summary (the sender's document page), with a link to the
 * page of all of them (`allHref`) when more exist than are shown.
 */
export function attemptHistory(dispatchId: string, h: AttemptHistory | undefined, allHref: string): SafeHtml {
  if (!h || h.items.length === 0) return html``;
  return html`<details class="attempt-history" data-attempts="${dispatchId}"><summary>Lịch sử các lần gửi (${h.total} lần thử)</summary>
  ${attemptTable(h.items)}
  ${h.total > h.items.length ? html`<p class="muted">Hiển thị ${h.items.length} lần gần nhất trong ${h.total} lần thử · <a href="${allHref}" data-all-attempts="${dispatchId}">Xem tất cả ${h.total} lần thử</a></p>` : ''}
</details>`;
}

/** The push's latest attempt as the sender's clerk needs it: "Đang thử lại: lần 5, lỗi …, lần tới lúc …". */
export function attemptLine(d: Pick<DispatchView, 'status' | 'attempts' | 'lastError' | 'nextAttemptAt'>): SafeHtml {
  if (!d.lastError) return html``;
  if (d.status === 'pending' || d.status === 'delivering') {
    return html`<p class="attempt error-text" role="status">Đang thử lại: lần ${d.attempts}, lỗi ${d.lastError}${d.nextAttemptAt ? html`, lần tới lúc <time datetime="${d.nextAttemptAt}">${instantVi(d.nextAttemptAt)}</time>` : ''}</p>`;
  }
  if (d.status === 'failed') return html`<p class="attempt error-text">Gửi lỗi sau ${d.attempts} lần thử: ${d.lastError}</p>`;
  return html``;
}
