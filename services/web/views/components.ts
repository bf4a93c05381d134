import type { DispatchView } from '../../../contracts';
import { html, type SafeHtml } from './html';
import { actorLabel, CHANNEL_LABELS, EVENT_CODE_LABELS, instantVi, statusLabel, urgencyLabel } from '../../labels/labels';

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

/** One recipient copy's timeline: channel, status and every event with its actor and note. */
export function timeline(d: DispatchView, recipientName: string): SafeHtml {
  return html`<section class="timeline card" aria-label="Tiến trình gửi tới ${recipientName}">
  <h3>${recipientName} <span class="muted code">${d.recipient}</span></h3>
  <p>Kênh: ${d.channel ? CHANNEL_LABELS[d.channel] ?? d.channel : 'chưa định tuyến'} · Trạng thái: ${statusPill(d.id, d.status)}
  ${d.incomingNumber ? html` · Số đến: <strong>${d.incomingNumber}</strong>` : ''}</p>
  ${attemptLine(d)}
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

/** The push's latest attempt as the sender's clerk needs it: "Đang thử lại: lần 5, lỗi …, lần tới lúc …". */
export function attemptLine(d: Pick<DispatchView, 'status' | 'attempts' | 'lastError' | 'nextAttemptAt'>): SafeHtml {
  if (!d.lastError) return html``;
  if (d.status === 'pending' || d.status === 'delivering') {
    return html`<p class="attempt error-text" role="status">Đang thử lại: lần ${d.attempts}, lỗi ${d.lastError}${d.nextAttemptAt ? html`, lần tới lúc <time datetime="${d.nextAttemptAt}">${instantVi(d.nextAttemptAt)}</time>` : ''}</p>`;
  }
  if (d.status === 'failed') return html`<p class="attempt error-text">Gửi lỗi sau ${d.attempts} lần thử: ${d.lastError}</p>`;
  return html``;
}
