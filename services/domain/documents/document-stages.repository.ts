import type { DocumentStatus, Stage, Urgency } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { BLOB_CHUNK_BYTES, putBlob, sha256Hex, type FileRow } from '../blobs/blob.repository';
import { type StageBlob } from './document.repository';
import { DOCUMENT_COLUMNS, type DocumentRow } from './document-reads';

// The pipeline stages' side of a document: each stage reads what it needs in one statement
// (loadForStage) and moves the document in one statement (advanceDocument, routeDocument, in the
// documents' writer document.repository.ts), with a compare-and-set on its status so a re-run writes nothing.

/** A file of a document as a pipeline stage reads it: `bytes` is the content of a small (inline) blob the stage asked for. */
export interface StageFile extends FileRow {
  bytes: Buffer | null;
}

/** What a pipeline stage needs of a document, read in one statement (loadForStage). */
export interface StageRead {
  doc: DocumentRow;
  /** The structured body to render, or null. */
  body: unknown;
  /** Its files with their blobs' size and type, ordered by role (as listFiles). */
  files: StageFile[];
  senderName: string | null;
  /** The name of the sender's parent agency, if it has one. */
  parentName: string | null;
  /** The sender's current signing certificate (as currentCertificate chooses it), when asked for. */
  certificateId: string | null;
}

const STAGE_READ = `SELECT d.*, s.name AS "senderName", p.name AS "parentName", c.id AS "certificateId",
    f.role AS "fileRole", f.blob_sha256 AS "fileSha256", b.size AS "fileSize", b.content_type AS "fileContentType",
    f.name AS "fileName", CASE WHEN d.status = $2 AND f.role ~ $3 THEN b.bytes END AS "fileBytes"
  FROM (SELECT ${DOCUMENT_COLUMNS}, body FROM documents WHERE id = $1) d
  LEFT JOIN agencies s ON s.code = d."senderCode"
  LEFT JOIN agencies p ON p.code = s.parent_code
  LEFT JOIN LATERAL (
    SELECT ac.id FROM agency_certificates ac
     WHERE $4::boolean AND ac.agency_code = d."senderCode" AND ac.revoked_at IS NULL AND ac.not_before <= now() AND ac.not_after > now()
     ORDER BY ac.not_before DESC, ac.created_at DESC LIMIT 1) c ON true
  LEFT JOIN document_files f ON f.document_id = d.id
  LEFT JOIN blobs b ON b.sha256 = f.blob_sha256
 ORDER BY f.role`;

/**
 * Everything a pipeline stage reads, in one round trip: the document (as loadDocument), its body,
 * its files (as listFiles) with the bytes of the small blobs whose role matches `bytesOf` (a regular
 * expression; only while the document is in `status`, so a finished document costs no bytes), its
 * sender's and the sender's parent's names, and with `certificate` the id of the sender's current
 * signing certificate (the choice currentCertificate makes: newest valid, not revoked).
 */
export async function loadForStage(
  db: Queryable,
  id: string,
  opts: { status: DocumentStatus; bytesOf: string; certificate?: boolean },
): Promise<StageRead | undefined> {
  const r = await db.query(STAGE_READ, [id, opts.status, opts.bytesOf, opts.certificate ?? false]);
  const first = r.rows[0];
  if (!first) return undefined;
  const { body, senderName, parentName, certificateId, fileRole: _r, fileSha256: _s, fileSize: _z, fileContentType: _t, fileName: _n, fileBytes: _b, ...doc } = first;
  const files: StageFile[] = [];
  for (const row of r.rows) {
    if (row.fileRole === null) continue;
    files.push({ role: row.fileRole, sha256: row.fileSha256, size: row.fileSize, contentType: row.fileContentType, name: row.fileName, bytes: row.fileBytes });
  }
  return { doc: doc as DocumentRow, body, files, senderName, parentName, certificateId };
}

/** A stage's output in memory: inline when it fits in one chunk, else stored chunk by chunk (putBlob). */
export function stageBlob(bytes: Buffer, contentType: string): StageBlob {
  const ref = { sha256: sha256Hex(bytes), size: bytes.length, contentType };
  return bytes.length <= BLOB_CHUNK_BYTES ? { ...ref, bytes } : { ...ref, store: (tx) => putBlob(tx, bytes, contentType) };
}
