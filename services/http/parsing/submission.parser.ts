import type { Request } from 'express';
import { z } from 'zod';
import { Body, DocumentMetadata, ErrorCode, Base64Text, jsonSubmissionOf } from '../../../contracts';
import type { IncomingFile } from '../../domain/documents/accept-document';
import { DomainError } from '../../domain/errors/domain-error';
import type { UploadedFile } from './upload-storage';
import { safeFileName } from '../../domain/files/safe-file-name';
import { DecodedContent } from './base64-spill-sink';

export interface ParsedSubmission {
  metadata: DocumentMetadata;
  /** A file to convert, or a structured body to render (JSON only). */
  file?: IncomingFile;
  body?: Body;
  attachments: IncomingFile[];
}

// The envelope of the contract's JSON submission; metadata and body are checked in a second step.
// A file's content was decoded while the body arrived (streaming-json-reader), or is base64 text
// from another caller.
const JsonSubmission = jsonSubmissionOf(z.unknown(), z.unknown(), z.union([z.instanceof(DecodedContent), Base64Text]));

export function parseMetadata(raw: unknown): DocumentMetadata {
  const r = DocumentMetadata.safeParse(raw);
  if (!r.success) throw validationError(r.error, 'metadata');
  return r.data;
}

export function validationError(error: z.ZodError, prefix: string): DomainError {
  const details = error.issues.map((i) => ({ path: [prefix, ...i.path].join('.'), message: i.message, code: i.code }));
  const first = details[0];
  return new DomainError(ErrorCode.VALIDATION_FAILED, `Dữ liệu không hợp lệ: ${first ? `${first.path}: ${first.message}` : prefix}.`, details);
}

/** Names arrive from clients: the one sanitiser every channel uses (services/domain/files/safe-file-name.ts). */
export { safeFileName };

export function fromMultipart(req: Request, maxFiles: number): ParsedSubmission {
  const body = req.body as Record<string, unknown>;
  const files = (req.files ?? {}) as Record<string, Express.Multer.File[]>;
  if (typeof body.metadata !== 'string') {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Thiếu phần "metadata" (JSON) trong multipart.', [{ path: 'metadata' }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body.metadata);
  } catch {
    throw new DomainError(ErrorCode.MALFORMED_JSON, 'Phần "metadata" không phải JSON hợp lệ.', [{ path: 'metadata' }]);
  }
  const unexpected = Object.keys(body).filter((k) => k !== 'metadata');
  if (unexpected.length > 0) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Phần multipart không được hỗ trợ: ${unexpected.join(', ')}.`, unexpected.map((path) => ({ path })));
  }
  const main = files.file?.[0];
  if (!main) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Thiếu tệp văn bản (phần "file").', [{ path: 'file' }]);
  const attachments = files.attachments ?? [];
  if (attachments.length + 1 > maxFiles) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Quá nhiều tệp (tối đa ${maxFiles}).`, [{ path: 'attachments', limit: maxFiles }]);
  }
  const toIncoming = (f: Express.Multer.File, fallback: string): IncomingFile => incomingFileOf(f, safeFileName(f.originalname, fallback));
  return {
    metadata: parseMetadata(raw),
    file: toIncoming(main, 'document.pdf'),
    attachments: attachments.map((a, i) => toIncoming(a, `attachment-${i + 1}`)),
  };
}

/**
 * A multer file as the intake takes it: from SpillingUploadStorage, its bytes or its temporary
 * file with the size and SHA-256 measured on arrival; from memoryStorage, its buffer.
 */
export function incomingFileOf(f: Express.Multer.File, name: string): IncomingFile {
  const sha256 = (f as Partial<UploadedFile>).sha256;
  if (f.path && sha256) return { name, declaredType: f.mimetype, path: f.path, size: f.size, sha256 };
  return { name, declaredType: f.mimetype, bytes: f.buffer, sha256 };
}

export function fromJson(body: unknown, maxFiles: number, maxFileBytes: number): ParsedSubmission {
  const r = JsonSubmission.safeParse(body);
  if (!r.success) throw validationError(r.error, 'body');
  const metadata = parseMetadata(r.data.metadata);
  if ('body' in r.data) {
    const body = Body.safeParse(r.data.body);
    if (!body.success) throw validationError(body.error, 'body');
    return { metadata, body: body.data, attachments: [] };
  }
  if (r.data.files.length > maxFiles) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Quá nhiều tệp (tối đa ${maxFiles}).`, [{ path: 'files', limit: maxFiles }]);
  }
  const decoded = r.data.files.map((f, i): IncomingFile => {
    const c = f.contentBase64;
    const size = c instanceof DecodedContent ? c.size : undefined;
    const bytes = c instanceof DecodedContent ? c.bytes : Buffer.from(c, 'base64');
    if ((size ?? bytes!.length) > maxFileBytes) {
      throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `Tệp ${f.name} vượt quá ${maxFileBytes} byte.`, [{ path: `files.${i}`, limit: maxFileBytes }]);
    }
    const name = safeFileName(f.name, `file-${i + 1}`);
    if (c instanceof DecodedContent && c.path) return { name, declaredType: f.contentType, path: c.path, size: c.size, sha256: c.sha256 };
    return { name, declaredType: f.contentType, bytes: bytes!, sha256: c instanceof DecodedContent ? c.sha256 : undefined };
  });
  return { metadata, file: decoded[0]!, attachments: decoded.slice(1) };
}
