import { Router, type RequestHandler } from 'express';
import multer from 'multer';
import { ErrorCode, FileRole, RECIPIENT_FILE_ROLE, type DocumentView, type SubmitDocumentResponse } from '../../../contracts';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { listFiles } from '../../domain/blobs/blob.repository';
import { tempDirOf } from '../../domain/blobs/temp-files';
import { dispatchViews } from '../../domain/dispatches/dispatch.repository';
import { acceptDocument } from '../../domain/documents/accept-document';
import { findDocumentFor } from '../../domain/documents/document-reads';
import { documentMetadataOf } from '../../domain/documents/document-metadata';
import { DomainError } from '../../domain/errors/domain-error';
import { recordAccess } from '../../domain/access/access-log.repository';
import { principalOf } from '../middleware/authenticate';
import { fromJson, fromMultipart } from '../../http/parsing/submission.parser';
import { SpillingUploadStorage, withUploads } from '../../http/parsing/upload-storage';
import { readStreamingJson } from '../../http/parsing/streaming-json-reader';
import { BLOB_CHUNK_BYTES } from '../../domain/blobs/blob.repository';
import { sendBlob } from '../../http/send-blob';
import { isUuid } from '../../http/route-params';
import { largeBodyGate, type LargeBodyGate } from '../security/large-body-gate';
import { acceptLimitsFrom } from '../../domain/documents/accept-limits';


export function documentsRoutes(db: Db, config: Config, gate: LargeBodyGate = largeBodyGate(config.LIENTHONG_LARGE_BODY_CONCURRENCY)): Router {
  const router = Router();
  // Small files in memory, larger ones spilled to a temporary file as they arrive (removed when
  // the request ends, whatever its outcome): a 50 MB upload never sits whole in the gateway.
  const upload = multer({
    storage: new SpillingUploadStorage(tempDirOf(config.LIENTHONG_DATA_DIR)),
    // File names arrive as raw UTF-8 (browsers, curl, fetch); busboy's default latin1 garbled Vietnamese names.
    defParamCharset: 'utf8',
    limits: {
      fileSize: config.LIENTHONG_MAX_FILE_BYTES,
      files: config.LIENTHONG_MAX_FILES,
      fields: 5,
      fieldSize: 1024 * 1024,
      parts: config.LIENTHONG_MAX_FILES + 5,
    },
  }).fields([
    { name: 'file', maxCount: 1 },
    { name: 'attachments', maxCount: Math.max(1, config.LIENTHONG_MAX_FILES - 1) },
  ]);
  // JSON bodies are read as they arrive: the base64 of each file is decoded piece by piece into
  // memory (≤ 1 MiB) or a temporary file of the request, never held whole as text (issue 17).
  const jsonOptions = {
    limitBytes: config.LIENTHONG_MAX_JSON_BYTES, maxFileBytes: config.LIENTHONG_MAX_FILE_BYTES, memoryLimit: BLOB_CHUNK_BYTES,
    tempDir: tempDirOf(config.LIENTHONG_DATA_DIR), isContent: isFileContent,
  };
  const json: RequestHandler = (req, _res, next) => {
    readStreamingJson(req, jsonOptions).then((body) => {
      req.body = body;
      next();
    }, next);
  };

  const parseBody: RequestHandler = (req, res, next) => {
    if (req.is('multipart/form-data')) return upload(req, res, next);
    // Large JSON bodies still take turns (LIENTHONG_LARGE_BODY_CONCURRENCY): the metadata and the decode windows.
    if (req.is('application/json')) return gate.middleware(req, res, (err?: unknown) => (err ? next(err) : json(req, res, next)));
    next(new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Chỉ nhận multipart/form-data hoặc application/json.'));
  };

  router.post('/v1/documents', parseBody, async (req, res) =>
    withUploads(req, async () => {
      const principal = principalOf(res);
      const parsed = req.is('multipart/form-data')
        ? fromMultipart(req, config.LIENTHONG_MAX_FILES)
        : fromJson(req.body, config.LIENTHONG_MAX_FILES, config.LIENTHONG_MAX_FILE_BYTES);
      const key = req.header('idempotency-key');
      if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) {
        throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Idempotency-Key phải là 1–200 ký tự ASCII in được.', [{ path: 'Idempotency-Key' }]);
      }
      const result = await acceptDocument(
        db,
        { sender: principal.agencyCode, ...parsed, idempotencyKey: key },
        acceptLimitsFrom(config),
      );
      if (!result.created) res.setHeader('Idempotent-Replayed', 'true');
      const body: SubmitDocumentResponse = { id: result.id, status: result.status, links: { self: `/v1/documents/${result.id}` } };
      res.status(202).location(body.links.self).json(body);
    }),
  );

  router.get('/v1/documents/:id', async (req, res) => {
    const principal = principalOf(res);
    const found = isUuid(req.params.id) ? await findDocumentFor(db, principal.agencyCode, req.params.id!) : undefined;
    if (!found) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
    const { doc, asSender } = found;
    const files = await listFiles(db, doc.id);
    const view: DocumentView = {
      id: doc.id,
      status: doc.status,
      sender: doc.senderCode,
      metadata: documentMetadataOf(doc, asSender ? doc.recipientsRef : [principal.agencyCode]),
      files: files.filter((f) => asSender || visibleToRecipient(f.role)).map((f) => ({ role: f.role, sha256: f.sha256, size: f.size, contentType: f.contentType })),
      dispatches: await dispatchViews(db, doc.id, asSender ? null : principal.agencyCode, principal.agencyCode),
      createdAt: doc.createdAt.toISOString(),
    };
    res.json({
      ...view,
      signature: { level: doc.signatureLevel, note: doc.signatureNote, incoming: doc.incomingSignature ?? null },
      // one report per signature the PDF arrived with (verdict, reason, Vietnamese sentence), and the warnings every recipient sees
      signatures: (doc.incomingSignature as { signatures?: unknown[] } | null)?.signatures ?? [],
      signatureWarnings: (doc.incomingSignature as { warnings?: string[] } | null)?.warnings ?? [],
      ...(doc.lastError && asSender ? { lastError: doc.lastError } : {}),
    });
  });

  router.get('/v1/documents/:id/files/:role', async (req, res) => {
    const principal = principalOf(res);
    const found = isUuid(req.params.id) ? await findDocumentFor(db, principal.agencyCode, req.params.id!) : undefined;
    const role = req.params.role!;
    if (!found || !FileRole.safeParse(role).success || (!found.asSender && !visibleToRecipient(role))) {
      throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy tệp.');
    }
    const file = (await listFiles(db, found.doc.id)).find((f) => f.role === role);
    if (!file) throw new DomainError(ErrorCode.NOT_FOUND, `Văn bản chưa có tệp "${role}".`);
    await recordAccess(db, found.doc.id, { agencyCode: principal.agencyCode, actor: `key:${principal.keyId}` }, 'downloaded', file.name ?? role);
    await sendBlob(db, res, file, {
      'Content-Type': file.contentType,
      ETag: `"${file.sha256}"`,
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name ?? `${role}.pdf`)}`,
    });
  });

  return router;
}

/** `files[i].contentBase64` of a JSON submission. */
function isFileContent(path: readonly (string | number)[]): boolean {
  return path.length === 3 && path[0] === 'files' && typeof path[1] === 'number' && path[2] === 'contentBase64';
}

/** Recipients receive what was sent: the signed document and its attachments, not the drafts. */
function visibleToRecipient(role: string): boolean {
  return RECIPIENT_FILE_ROLE.test(role);
}
