import type { AgencyNotice } from '../../domain/notices/agency-notices';
import { html, type SafeHtml } from './html';
import { instantVi } from '../../labels/labels';

const KIND_LABELS: Record<AgencyNotice['kind'], string> = {
  delivery_failing: 'Gửi lỗi kéo dài',
  certificate_expiring: 'Chứng thư số sắp hết hạn',
};

/** The agency's own notices (a delivery failing for long, its certificate expiring): nothing when there are none. */
export function agencyNoticesPanel(notices: readonly AgencyNotice[]): SafeHtml {
  if (notices.length === 0) return html``;
  return html`<section id="agency-notices" class="card" aria-labelledby="agency-notices-title"><h2 id="agency-notices-title">Thông báo của cơ quan (${notices.length})</h2>
<ul class="notifications">${notices.map(
    (n) => html`<li class="urgent" data-notice-kind="${n.kind}"><span class="pill late">${KIND_LABELS[n.kind] ?? n.kind}</span>
  ${n.documentId ? html`<a href="/outbox/${n.documentId}">${n.message}</a>` : n.message} <time class="muted" datetime="${n.createdAt.toISOString()}">${instantVi(n.createdAt)}</time></li>`,
  )}</ul></section>`;
}
