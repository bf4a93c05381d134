import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/pool';

export interface BlobRef {
  sha256: string;
  size: number;
  contentType: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Content-addressed: storing the same bytes twice is one row. */
export async function putBlob(db: Queryable, bytes: Uint8Array, contentType: string): Promise<BlobRef> {
  const sha256 = sha256Hex(bytes);
  await db.query(
    `INSERT INTO blobs (sha256, size, content_type, bytes) VALUES ($1, $2, $3, $4)
     ON CONFLICT (sha256) DO NOTHING`,
    [sha256, bytes.length, contentType, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
  );
  return { sha256, size: bytes.length, contentType };
}

export async function getBlob(db: Queryable, sha256: string): Promise<Buffer> {
  const r = await db.query<{ bytes: Buffer }>('SELECT bytes FROM blobs WHERE sha256 = $1', [sha256]);
  const row = r.rows[0];
  if (!row) throw new Error(`blob ${sha256} is missing`);
  return row.bytes;
}

export async function attachFile(
  db: Queryable,
  documentId: string,
  role: string,
  blob: BlobRef,
  name: string | null,
): Promise<void> {
  // Re-running a stage re-attaches the same output: idempotent by the primary key.
  await db.query(
    `INSERT INTO document_files (document_id, role, blob_sha256, name) VALUES ($1, $2, $3, $4)
     ON CONFLICT (document_id, role) DO UPDATE SET blob_sha256 = EXCLUDED.blob_sha256, name = EXCLUDED.name`,
    [documentId, role, blob.sha256, name],
  );
}

export interface FileRow {
  role: string;
  sha256: string;
  size: number;
  contentType: string;
  name: string | null;
}

export async function listFiles(db: Queryable, documentId: string): Promise<FileRow[]> {
  const r = await db.query(
    `SELECT f.role, f.blob_sha256 AS sha256, b.size, b.content_type AS "contentType", f.name
       FROM document_files f JOIN blobs b ON b.sha256 = f.blob_sha256
      WHERE f.document_id = $1 ORDER BY f.role`,
    [documentId],
  );
  return r.rows;
}
