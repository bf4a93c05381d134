import { ErrorCode } from '../../../contracts';
import { ConvertError } from '../../convert/convert-errors';
import { sniffSourceType, type SourceType } from '../../convert/sniff';
import { DomainError } from '../errors/domain-error';
import { sniffContentType } from '../files/sniff-content-type';

export interface SourceCheck {
  type: SourceType;
  contentType: string;
}

const CONTENT_TYPE: Record<SourceType, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};

/**
 * What the main file is, from its bytes (the declared type only tells Markdown from text): a type
 * the convert stage can turn into the canonical PDF, or a clear refusal before anything is stored.
 * `bytes` may be the file's head only when the head shows a PDF, PNG or JPEG (see sniffableFromHead).
 */
export function checkSourceFile(f: { name: string; declaredType: string | undefined; size: number }, bytes: Buffer, path: string): SourceCheck {
  if (f.size === 0) throw new DomainError(ErrorCode.INVALID_FILE, `Tệp ${f.name} rỗng.`, [{ path }]);
  let type: SourceType;
  try {
    type = sniffSourceType(bytes, f.declaredType ?? f.name);
  } catch (err) {
    if (!(err instanceof ConvertError)) throw err;
    const declaredPdf = f.declaredType === 'application/pdf';
    throw new DomainError(
      declaredPdf || err.code === 'TEXT_NOT_UTF8' ? ErrorCode.INVALID_FILE : ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `Tệp ${f.name} không dùng được: ${err.message}.`,
      [{ path, declared: f.declaredType ?? null, problem: err.code }],
    );
  }
  if (f.declaredType === 'application/pdf' && type !== 'pdf') {
    throw new DomainError(ErrorCode.INVALID_FILE, `Tệp ${f.name} khai báo là PDF nhưng nội dung không phải PDF (nhận dạng: ${type}).`, [
      { path, declared: f.declaredType, sniffed: type },
    ]);
  }
  return { type, contentType: CONTENT_TYPE[type] };
}

/**
 * Whether a file's first bytes are enough to sniff it: PDF, PNG and JPEG are told by their first
 * KiB, which sniffSourceType checks before anything else. A ZIP (is it a .docx?) or text (is it
 * all UTF-8, without NUL?) needs the whole file.
 */
export function sniffableFromHead(head: Buffer): boolean {
  const t = sniffContentType(head);
  return t === 'application/pdf' || t === 'image/png' || t === 'image/jpeg';
}
