import type { DocumentRow } from '../../domain/documents/document-reads';
import { html, type SafeHtml } from './html';

type FileEntry = { role: string; name: string | null };

/**
 * The document itself on the sender's page: the signed PDF (or, before signing, the canonical PDF
 * the convert stage made) in the page; before the convert stage has run, a note that it is coming.
 * Re-rendered by the page's live refresh (/outbox/:id/live), so the PDF appears without a reload.
 */
export function sentPdf(doc: Pick<DocumentRow, 'id' | 'number' | 'notation' | 'status' | 'lastError'>, files: FileEntry[]): SafeHtml {
  const pdf = files.find((f) => f.role === 'signed') ?? files.find((f) => f.role === 'canonical');
  if (doc.status === 'revoked') return html`<p class="muted">Văn bản đã được thu hồi.</p>`;
  if (pdf) {
    const url = `/documents/${doc.id}/files/${pdf.role}`;
    const what = pdf.role === 'signed' ? 'PDF đã ký số' : 'PDF chuẩn hóa, chưa ký số';
    return html`<section class="pdf card" aria-label="Nội dung văn bản" data-pdf-role="${pdf.role}"><iframe src="${url}" title="Văn bản ${doc.number}/${doc.notation} (${what})"></iframe>
    <p class="muted">${pdf.role === 'signed' ? '' : 'Bản chưa ký số; bản ký số sẽ thay thế khi ký xong. '}Không xem được? <a href="${url}?download=1">Tải tệp PDF</a>.</p></section>`;
  }
  if (doc.status === 'failed') return html`<p class="notice error" data-pdf-pending="failed">Không tạo được bản PDF của văn bản: ${doc.lastError ?? 'lỗi không rõ'}.</p>`;
  return html`<p class="muted" data-pdf-pending="${doc.status}">Văn bản đang được chuyển định dạng (văn bản soạn trên hệ thống: trình bày theo thể thức Nghị định 30 với số đã cấp); bản PDF sẽ hiện ở đây khi xong.</p>`;
}

/** The page's list of files (original, canonical, signed, attachments), also re-rendered live. */
export function sentFiles(documentId: string, files: FileEntry[]): SafeHtml {
  return files.length ? html`<h2 class="h3">Tệp</h2><ul class="files">${files.map((f) => html`<li><a href="/documents/${documentId}/files/${f.role}">${roleLabel(f.role)}</a></li>`)}</ul>` : html``;
}

function roleLabel(role: string): string {
  if (role === 'original') return 'Bản gốc';
  if (role === 'canonical') return 'Bản chuẩn hóa';
  if (role === 'signed') return 'Bản đã ký số';
  if (role.endsWith('-source')) return `Phụ lục ${role.replace('attachment-', '').replace('-source', '')} (tệp gửi lên)`;
  return `Phụ lục ${role.replace('attachment-', '')}`;
}
