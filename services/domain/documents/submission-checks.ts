import { createHash } from 'node:crypto';
import { ErrorCode } from '../../../contracts';
import { DomainError } from '../errors/domain-error';
import type { Submission } from './accept-document';
import type { AcceptLimits } from './accept-limits';
import { hashFileInto, type PreparedFile } from './incoming-files';

// What acceptDocument checks of a submission before it asks the database anything, and what makes
// two submissions the same request for an Idempotency-Key.

/** The sender, the classification, the dates and the file-or-body rule: refused before anything is written. */
export function validateBeforeWriting(s: Submission, limits: AcceptLimits): void {
  const m = s.metadata;
  if (m.sender !== undefined && m.sender !== s.sender) {
    throw new DomainError(ErrorCode.FORBIDDEN, `Khóa API của ${s.sender} không được gửi văn bản thay cho ${m.sender}.`, [
      { path: 'metadata.sender', value: m.sender },
    ]);
  }
  if (m.classification !== 'normal') {
    throw new DomainError(
      ErrorCode.CLASSIFIED_DOCUMENT,
      'Văn bản mật không được trao đổi qua mạng (classified documents are not exchanged electronically).',
      [{ path: 'metadata.classification', value: m.classification }],
    );
  }
  const issued = Date.parse(`${m.issuedOn}T00:00:00+07:00`);
  if (Number.isNaN(issued)) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Ngày ban hành không hợp lệ: ${m.issuedOn}.`, [{ path: 'metadata.issuedOn' }]);
  }
  if (issued > Date.now() + limits.futureSkewDays * 86_400_000) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Ngày ban hành ${m.issuedOn} ở tương lai.`, [{ path: 'metadata.issuedOn' }]);
  }
  if (m.dueOn && m.dueOn < m.issuedOn) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Hạn xử lý phải sau ngày ban hành.', [{ path: 'metadata.dueOn' }]);
  }
  if (!s.file === !s.body) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Gửi hoặc một tệp văn bản, hoặc nội dung "body" để soạn theo thể thức — không cả hai.', [{ path: 'file' }]);
  }
}

/**
 * What makes two submissions "the same request" for Idempotency-Key: the metadata, the body, and
 * each file's name and bytes (a temporary file is read through, so the hash does not depend on
 * whether an upload was held in memory or spilled to disk).
 */
export async function hashSubmission(s: Submission, main: PreparedFile | null, attachments: PreparedFile[]): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify(s.metadata));
  if (s.body) h.update('\0body\0').update(JSON.stringify(s.body));
  for (const f of [...(main ? [main] : []), ...attachments]) {
    h.update('\0').update(f.name).update('\0');
    if (f.bytes) h.update(f.bytes);
    else await hashFileInto(h, f.path!);
  }
  return h.digest('hex');
}
