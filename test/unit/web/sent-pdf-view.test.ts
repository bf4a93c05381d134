import { expect } from 'chai';
import { sentFiles, sentPdf } from '../../../services/web/views/sent-pdf.view';

// The sender's document page (issue 18): a composed document has no PDF until the convert stage
// has run; the page says so, then shows the canonical PDF, then the signed one.
describe('the sender\'s page: the document\'s PDF or why it is not there yet', () => {
  const doc = (status: string, lastError: string | null = null) => ({ id: 'd0c', number: '07', notation: 'UBND-VP', status: status as never, lastError });

  it('before the convert stage: a note that the PDF is being made, no frame', () => {
    const out = sentPdf(doc('accepted'), []).value;
    expect(out).to.contain('data-pdf-pending="accepted"');
    expect(out).not.to.contain('<iframe');
  });

  it('converted, not yet signed: the canonical PDF, said to be unsigned', () => {
    const out = sentPdf(doc('converted'), [{ role: 'canonical', name: '07-UBND-VP.pdf' }]).value;
    expect(out).to.contain('<iframe src="/documents/d0c/files/canonical"');
    expect(out).to.contain('data-pdf-role="canonical"');
    expect(out).to.contain('Bản chưa ký số');
  });

  it('signed: the signed PDF, even beside the canonical one', () => {
    const out = sentPdf(doc('routed'), [{ role: 'canonical', name: null }, { role: 'signed', name: null }]).value;
    expect(out).to.contain('<iframe src="/documents/d0c/files/signed"');
    expect(out).not.to.contain('chưa ký số');
  });

  it('failed before any PDF: the reason, escaped', () => {
    const out = sentPdf(doc('failed', 'RENDER_INVALID: <ngày> không hợp lệ'), []).value;
    expect(out).to.contain('Không tạo được bản PDF');
    expect(out).to.contain('&lt;ngày&gt; không hợp lệ');
  });

  it('revoked: no frame', () => {
    expect(sentPdf(doc('revoked'), [{ role: 'signed', name: null }]).value).not.to.contain('<iframe');
  });

  it('the files list names each role, the kept sources of attachments too', () => {
    const out = sentFiles('d0c', [{ role: 'canonical', name: null }, { role: 'attachment-1-source', name: 'a.md' }, { role: 'attachment-1', name: 'a.pdf' }]).value;
    expect(out).to.contain('Bản chuẩn hóa');
    expect(out).to.contain('Phụ lục 1 (tệp gửi lên)');
    expect(out).to.contain('href="/documents/d0c/files/attachment-1"');
    expect(sentFiles('d0c', []).value).to.equal('');
  });
});
