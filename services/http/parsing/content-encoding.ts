import { ErrorCode } from '../../../contracts';
import { DomainError } from '../../domain/errors/domain-error';

/**
 * The answers to a body's Content-Encoding, the same on every route whichever parser read it (the
 * streaming JSON reader, express.json / express.raw): a coding we do not decode is 415 (RFC 9110
 * § 15.5.16), a body that is not valid data of its coding (not gzip, truncated, a bad checksum) is
 * 400 VALIDATION_FAILED with `details[0].code` `invalid_content_encoding`.
 */
export function unsupportedContentEncoding(encoding: string): DomainError {
  return new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `Content-Encoding "${printable(encoding)}" không được hỗ trợ (gzip, deflate, br).`, [
    { code: 'unsupported_content_encoding', header: 'Content-Encoding', encoding: printable(encoding) },
  ]);
}

export function invalidCompressedBody(encoding: string | undefined): DomainError {
  const enc = printable(encoding ?? '');
  return new DomainError(ErrorCode.VALIDATION_FAILED, `Dữ liệu gửi lên không giải nén được theo Content-Encoding "${enc}" (dữ liệu nén không hợp lệ hoặc bị cắt cụt).`, [
    { code: 'invalid_content_encoding', header: 'Content-Encoding', encoding: enc },
  ]);
}

/** An error of Node's zlib streams (inflate, gunzip: `Z_…`; brotli: `ERR__…`; zstd: `ZSTD_…`), with a numeric errno. */
export function isDecompressionError(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown } | null;
  return typeof e?.code === 'string' && typeof e.errno === 'number' && /^(Z_|ERR__|ERR_BROTLI|ZSTD_)/.test(e.code);
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}
