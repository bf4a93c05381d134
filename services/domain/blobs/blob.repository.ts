import { safeFileName } from '../files/safe-file-name';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { BinaryCopyFields } from './copy-binary';
import { inTransaction, type Queryable } from '../../db/pool';

export interface BlobRef {
  sha256: string;
  size: number;
  contentType: string;
}

/**
 * Blobs larger than this are stored as chunks of this size (migration 0013) and can be streamed;
 * smaller ones stay inline in one row. 1 MiB: a chunk travels as 2 MiB of hex in the text protocol.
 */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A chunked blob is one row in `blobs` plus its chunks: they must commit together, so outside a
 * transaction the write opens its own. Inside one (a PoolClient) it joins the caller's.
 */
async function atomically<T>(db: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db instanceof pg.Pool ? inTransaction(db, fn) : fn(db);
}

/** Registers a chunked blob; false when the same bytes are stored already (nothing more to write). */
async function claimChunked(tx: Queryable, sha256: string, size: number, contentType: string): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO blobs (sha256, size, content_type, bytes, chunks) VALUES ($1, $2, $3, NULL, $4)
     ON CONFLICT (sha256) DO NOTHING`,
    [sha256, size, contentType, Math.ceil(size / BLOB_CHUNK_BYTES)],
  );
  return r.rowCount === 1;
}

async function putChunk(tx: Queryable, sha256: string, seq: number, bytes: Buffer): Promise<void> {
  await tx.query('INSERT INTO blob_chunks (sha256, seq, bytes) VALUES ($1, $2, $3)', [sha256, seq, bytes]);
}

/** Content-addressed: storing the same bytes twice is one row. */
export async function putBlob(db: Queryable, bytes: Uint8Array, contentType: string): Promise<BlobRef> {
  const sha256 = sha256Hex(bytes);
  const buffer = asBuffer(bytes);
  if (buffer.length <= BLOB_CHUNK_BYTES) {
    await db.query(
      `INSERT INTO blobs (sha256, size, content_type, bytes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO NOTHING`,
      [sha256, buffer.length, contentType, buffer],
    );
  } else {
    await atomically(db, async (tx) => {
      if (!(await claimChunked(tx, sha256, buffer.length, contentType))) return;
      for (let seq = 0; seq * BLOB_CHUNK_BYTES < buffer.length; seq++) {
        await putChunk(tx, sha256, seq, buffer.subarray(seq * BLOB_CHUNK_BYTES, (seq + 1) * BLOB_CHUNK_BYTES));
      }
    });
  }
  return { sha256, size: buffer.length, contentType };
}

/** Reads a file in exact chunk-sized pieces into one reused buffer (the callback must finish with it). */
async function forEachChunk(file: string, fn: (chunk: Buffer, seq: number) => Promise<void> | void): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  const buffer = Buffer.allocUnsafe(BLOB_CHUNK_BYTES);
  try {
    for (let seq = 0; ; seq++) {
      let filled = 0;
      while (filled < BLOB_CHUNK_BYTES) {
        const { bytesRead } = await handle.read(buffer, filled, BLOB_CHUNK_BYTES - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) return;
      await fn(buffer.subarray(0, filled), seq);
      if (filled < BLOB_CHUNK_BYTES) return;
    }
  } finally {
    await handle.close();
  }
}

/** SHA-256 of a file, read in chunks. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await forEachChunk(file, (chunk) => void hash.update(chunk));
  return hash.digest('hex');
}

/**
 * Stores a file as a blob without holding it in memory: hashed in one pass, then written chunk by
 * chunk (a second pass). `sha256` may be given when the caller hashed the file while writing it.
 */
export async function putBlobFromFile(db: Queryable, file: string, contentType: string, known?: { sha256: string }): Promise<BlobRef> {
  const { size } = await fs.promises.stat(file);
  if (size <= BLOB_CHUNK_BYTES) return putBlob(db, await fs.promises.readFile(file), contentType);
  const sha256 = known?.sha256 ?? (await sha256OfFile(file));
  await atomically(db, async (tx) => {
    if (!(await claimChunked(tx, sha256, size, contentType))) return;
    const check = createHash('sha256');
    let written = 0;
    await forEachChunk(file, async (chunk, seq) => {
      check.update(chunk);
      written += chunk.length;
      await putChunk(tx, sha256, seq, chunk);
    });
    // The file changed under us (or the caller's hash was wrong): throwing rolls the blob back.
    if (written !== size || check.digest('hex') !== sha256) throw new Error(`file ${file} changed while it was stored`);
  });
  return { sha256, size, contentType };
}

export interface BlobInfo extends BlobRef {
  /** null: stored inline (one row). */
  chunks: number | null;
}

export async function blobInfo(db: Queryable, sha256: string): Promise<BlobInfo> {
  const r = await db.query<BlobInfo>(
    'SELECT sha256, size, content_type AS "contentType", chunks FROM blobs WHERE sha256 = $1',
    [sha256],
  );
  const row = r.rows[0];
  if (!row) throw new Error(`blob ${sha256} is missing`);
  return row;
}

/**
 * The blob's bytes in order, in pieces of at most BLOB_CHUNK_BYTES (usually the socket's 64 KB): for
 * responses and temporary files, so a large blob never sits whole in memory. A chunked blob is read
 * with one `COPY … TO STDOUT (FORMAT binary)`: raw bytes with the socket's backpressure, where a
 * SELECT per chunk brought each chunk as a 2 MiB hex string that only a full garbage collection
 * frees (reading a 50 MB blob grew the process by ~50 MB).
 */
export async function* blobPieces(db: Queryable, sha256: string): AsyncGenerator<Buffer> {
  // One query: an inline blob's bytes come with its description.
  const r = await db.query<BlobInfo & { bytes: Buffer | null }>(
    'SELECT sha256, size, content_type AS "contentType", chunks, bytes FROM blobs WHERE sha256 = $1',
    [sha256],
  );
  const info = r.rows[0];
  if (!info) throw new Error(`blob ${sha256} is missing`);
  if (info.bytes) {
    yield info.bytes;
    return;
  }
  if (info.chunks === null) throw new Error(`blob ${sha256} has neither bytes nor chunks`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a blob address: ${sha256}`); // inlined below: COPY takes no parameters
  const client = db instanceof pg.Pool ? await db.connect() : db;
  let completed = false;
  try {
    const stream = client.query(copyTo(`COPY (SELECT bytes FROM blob_chunks WHERE sha256 = '${sha256}' ORDER BY seq) TO STDOUT (FORMAT binary)`));
    const fields = new BinaryCopyFields();
    let size = 0;
    let seen = 0;
    for await (const piece of stream as AsyncIterable<Buffer>) {
      const out: Buffer[] = [];
      fields.push(piece, (bytes, starts) => {
        if (starts) seen++;
        out.push(bytes);
      });
      for (const bytes of out) {
        size += bytes.length;
        yield bytes;
      }
    }
    if (!fields.finished || seen !== info.chunks || size !== info.size) {
      throw new Error(`blob ${sha256} is incomplete: ${seen} of ${info.chunks} chunks, ${size} of ${info.size} bytes`);
    }
    completed = true;
  } finally {
    // A failure, or a consumer that stopped early, may leave the COPY unfinished on this
    // connection: it is discarded instead of going back to the pool.
    if (client !== db) (client as pg.PoolClient).release(completed ? undefined : true);
  }
}

/** The whole blob in memory: for small files and for callers that need all of it at once. */
export async function getBlob(db: Queryable, sha256: string): Promise<Buffer> {
  const r = await db.query<{ bytes: Buffer | null }>('SELECT bytes FROM blobs WHERE sha256 = $1', [sha256]);
  const row = r.rows[0];
  if (!row) throw new Error(`blob ${sha256} is missing`);
  if (row.bytes) return row.bytes;
  const pieces: Buffer[] = [];
  for await (const piece of blobPieces(db, sha256)) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** Writes the blob to `file` chunk by chunk (created or truncated); returns its size. */
export async function writeBlobToFile(db: Queryable, sha256: string, file: string): Promise<number> {
  const handle = await fs.promises.open(file, 'w');
  let size = 0;
  try {
    for await (const piece of blobPieces(db, sha256)) {
      await handle.write(piece);
      size += piece.length;
    }
  } finally {
    await handle.close();
  }
  return size;
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
  // Names stored before every channel was sanitised are cleaned on the way out as well.
  return (r.rows as FileRow[]).map((f) => (f.name === null ? f : { ...f, name: safeFileName(f.name, f.role) }));
}
