import type { NextFunction, Request, Response } from 'express';
import { ErrorCode, HTTP_STATUS_OF, type ErrorBody } from '../../../contracts';
import { DomainError } from '../../domain/errors/domain-error';
import { invalidCompressedBody, isDecompressionError, unsupportedContentEncoding } from '../../http/parsing/content-encoding';
import { logger } from '../../logging/logger';

const log = logger('http');

/** The one place that turns errors into HTTP: `{"error": {"code", "message", "details"}}`. */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const e = toDomainError(err, req);
  const status = HTTP_STATUS_OF[e.code];
  if (status >= 500) log.error({ err }, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body: ErrorBody = { error: { code: e.code, message: e.message, details: e.details } };
  res.status(status).json(body);
}

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy.'));
}

function toDomainError(err: unknown, _req: Request): DomainError {
  if (err instanceof DomainError) return err;
  const e = err as { type?: string; status?: number; code?: string; message?: string; field?: string };
  // body-parser and multer report their own errors; give each our code.
  if (e?.type === 'entity.parse.failed') return new DomainError(ErrorCode.MALFORMED_JSON, 'JSON không hợp lệ (malformed JSON).');
  if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FILE_SIZE' || e?.code === 'LIMIT_FIELD_VALUE') {
    return new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, 'Dữ liệu gửi lên vượt quá giới hạn kích thước.', [{ field: e.field ?? null }]);
  }
  if ((err as Error)?.name === 'MulterError') {
    return new DomainError(ErrorCode.VALIDATION_FAILED, `Phần multipart không hợp lệ hoặc quá nhiều tệp (${e.code}).`, [{ field: e.field ?? null }]);
  }
  // The client went away mid-upload (multer's words): nobody hears the answer, and it is not our failure.
  if (typeof e?.message === 'string' && /^Request (aborted|closed)$/.test(e.message)) return new DomainError(ErrorCode.VALIDATION_FAILED, 'Yêu cầu bị ngắt giữa chừng.');
  // A Content-Encoding the parser does not decode: 415 (RFC 9110 § 15.5.16), as the streaming JSON reader answers.
  if (e?.type === 'encoding.unsupported') return unsupportedContentEncoding(String((err as { encoding?: unknown }).encoding ?? ''));
  if (e?.type === 'charset.unsupported') {
    return new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `Bảng mã (charset) "${String((err as { charset?: unknown }).charset ?? '').slice(0, 40)}" không được hỗ trợ; hãy gửi UTF-8.`);
  }
  // A body that is not valid data of its Content-Encoding (express.json / express.raw pass zlib's error on).
  if (isDecompressionError(err)) return invalidCompressedBody(_req.header('content-encoding'));
  if (e?.type === 'entity.verify.failed' || e?.type === 'request.aborted') {
    return new DomainError(ErrorCode.VALIDATION_FAILED, e.message ?? 'Yêu cầu không hợp lệ.');
  }
  if (typeof e?.message === 'string' && /Multipart: Boundary not found|Unexpected end of form|Malformed part header/i.test(e.message)) {
    return new DomainError(ErrorCode.VALIDATION_FAILED, `Multipart không hợp lệ: ${e.message}.`);
  }
  // A NUL or an invalid UTF-8 sequence in any text reaches PostgreSQL, which refuses it (22021,
  // 22P05) before writing anything: the client's input, not our failure.
  if ((err as { code?: string })?.code === '22021' || (err as { code?: string })?.code === '22P05') {
    return new DomainError(ErrorCode.VALIDATION_FAILED, 'Dữ liệu chứa ký tự không hợp lệ (ví dụ ký tự NUL \\u0000).', [{ code: 'invalid_character' }]);
  }
  if (isDatabaseUnavailable(err)) return new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Cơ sở dữ liệu tạm thời không sẵn sàng; hãy thử lại.');
  // Any other client error a parser marked as such (http-errors: a 4xx status, exposed): its status, our codes.
  const status = Number(e?.status ?? (err as { statusCode?: unknown })?.statusCode);
  if ((err as { expose?: unknown })?.expose === true && status >= 400 && status < 500) {
    if (status === 413) return new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, 'Dữ liệu gửi lên vượt quá giới hạn kích thước.', [{ field: null }]);
    if (status === 415) return new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Kiểu dữ liệu gửi lên không được hỗ trợ.');
    return new DomainError(ErrorCode.VALIDATION_FAILED, 'Yêu cầu không hợp lệ.');
  }
  return new DomainError(ErrorCode.INTERNAL, 'Lỗi nội bộ; yêu cầu chưa được thực hiện.');
}

function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; syscall?: string };
  return (
    e?.code === 'ECONNREFUSED' ||
    // Through a unix socket, a stopped server has removed its socket file.
    (e?.code === 'ENOENT' && e?.syscall === 'connect') ||
    /^57P0[123]$/.test(e?.code ?? '') || // admin_shutdown, crash_shutdown, cannot_connect_now
    // A failover: connection exceptions (class 08, which PgBouncer also uses when its server is
    // gone), a standby reached before its promotion, the primary not yet found (multi-host URL).
    /^08/.test(e?.code ?? '') ||
    e?.code === '25006' || // read_only_sql_transaction
    e?.code === 'READ_ONLY_SERVER' ||
    /Connection terminated|timeout exceeded when trying to connect|query_wait_timeout|server conn crashed|server login has been failing/i.test(e?.message ?? '')
  );
}
