import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { Queryable } from '../db/pool';
import { BLOB_CHUNK_BYTES, blobPieces, getBlob } from '../domain/blobs/blob.repository';

/**
 * Answers with a blob: a small one in one piece, a chunked one streamed chunk by chunk (one chunk
 * in memory at a time, the client's pace sets the reading pace), with its Content-Length either
 * way. Headers are set only once the first bytes are in hand, so a blob that cannot be read still
 * gets a clean JSON error.
 */
export async function sendBlob(db: Queryable, res: Response, blob: { sha256: string; size: number }, headers: Record<string, string>): Promise<void> {
  const setHeaders = () => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.setHeader('Content-Length', String(blob.size));
  };
  if (blob.size <= BLOB_CHUNK_BYTES) {
    const bytes = await getBlob(db, blob.sha256);
    setHeaders();
    res.end(bytes);
    return;
  }
  const pieces = blobPieces(db, blob.sha256);
  const first = await pieces.next();
  setHeaders();
  async function* all(): AsyncGenerator<Buffer> {
    if (!first.done) yield first.value;
    yield* pieces;
  }
  try {
    await pipeline(Readable.from(all(), { objectMode: false }), res);
  } catch (err) {
    // The client went away mid-download: nothing to answer, and not the server's failure.
    if ((err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE' || res.destroyed) return;
    throw err;
  }
}
