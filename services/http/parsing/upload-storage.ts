import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { BLOB_CHUNK_BYTES } from '../../domain/blobs/blob.repository';
import { tempPath } from '../../domain/blobs/temp-files';

/**
 * What the upload storage adds to a multer file: its size and SHA-256 (hashed while it arrived),
 * and either its bytes (`buffer`, small files) or the temporary file holding it (`path`).
 */
export interface ReceivedUpload {
  size: number;
  sha256: string;
  buffer?: Buffer;
  path?: string;
}

export type UploadedFile = Express.Multer.File & { sha256: string };

/** A temporary file an upload spilled into; removed once, after its writer has closed. */
class Spill {
  private readonly out: fs.WriteStream;
  private removed: Promise<void> | undefined;

  constructor(readonly path: string) {
    this.out = fs.createWriteStream(path, { flags: 'wx', mode: 0o600 });
  }

  get stream(): fs.WriteStream {
    return this.out;
  }

  /** Idempotent. Waits for the writer to close first: an unlink before the open would be undone. */
  remove(): Promise<void> {
    this.removed ??= (async () => {
      if (!this.out.closed) {
        const closed = new Promise<void>((resolve) => this.out.once('close', () => resolve()));
        this.out.destroy();
        await closed;
      }
      await fs.promises.rm(this.path, { force: true });
    })();
    return this.removed;
  }
}

interface RequestUploads {
  spills: Set<Spill>;
  /** Handlers using the files now (withUploads): the response's close must not pull them away. */
  holds: number;
}

const uploadsOf = new WeakMap<Request, RequestUploads>();

function uploadsFor(req: Request): RequestUploads {
  let u = uploadsOf.get(req);
  if (!u) {
    const created: RequestUploads = { spills: new Set(), holds: 0 };
    uploadsOf.set(req, created);
    // The safety net: whatever path the request took (refused by multer, failed before a handler,
    // client gone), its temporary files go when its response closes, unless a handler holds them.
    req.res?.once('close', () => {
      if (created.holds === 0) void discardUploads(req);
    });
    u = created;
  }
  return u;
}

/**
 * A temporary file that belongs to the request like a spilled upload (removed with the others when
 * its handler ends or its response closes): the JSON reader decodes large base64 contents into it.
 */
export function openRequestSpill(req: Request, dir: string, suffix = '.upload'): { path: string; stream: fs.WriteStream } {
  const spill = new Spill(tempPath(dir, suffix));
  uploadsFor(req).spills.add(spill);
  return { path: spill.path, stream: spill.stream };
}

/** Removes every temporary file of the request's uploads (idempotent). */
export async function discardUploads(req: Request): Promise<void> {
  const u = uploadsOf.get(req);
  if (!u) return;
  const spills = [...u.spills];
  u.spills.clear();
  await Promise.all(spills.map((s) => s.remove().catch(() => undefined)));
}

/** Runs a handler that reads the request's uploads, then removes their temporary files. */
export async function withUploads<T>(req: Request, fn: () => Promise<T>): Promise<T> {
  const u = uploadsFor(req);
  u.holds++;
  try {
    return await fn();
  } finally {
    u.holds--;
    await discardUploads(req);
  }
}

/**
 * A multer storage engine that keeps small files in memory and spills larger ones to a temporary
 * file, hashing (SHA-256) while the bytes arrive, so a 50 MB upload never sits in the gateway's
 * memory. Multer enforces the size limits (busboy stops the stream and multer refuses with
 * LIMIT_FILE_SIZE) and calls `_removeFile` when it refuses a request; every temporary file is
 * removed at the latest when the response closes.
 */
export class SpillingUploadStorage implements StorageEngine {
  constructor(
    private readonly tempDir: string,
    /** Files up to this size stay in memory (they are stored inline as one blob row anyway). */
    private readonly memoryLimit = BLOB_CHUNK_BYTES,
  ) {}

  _handleFile(req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    const stream = file.stream;
    const hash = createHash('sha256');
    let size = 0;
    let chunks: Buffer[] = [];
    let spill: Spill | undefined;
    let settled = false;
    let truncated = false;

    const settle = (err: unknown, info?: ReceivedUpload) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      if (err) {
        chunks = [];
        if (spill) {
          const s = spill;
          uploadsOf.get(req)?.spills.delete(s);
          void s.remove().catch(() => undefined).then(() => cb(err));
          return;
        }
        cb(err);
        return;
      }
      cb(null, info as Partial<Express.Multer.File>);
    };

    const onData = (chunk: Buffer) => {
      if (truncated) return; // over the limit: multer refuses the request; nothing more to keep
      hash.update(chunk);
      size += chunk.length;
      if (spill) {
        if (!spill.stream.write(chunk)) {
          stream.pause();
          spill.stream.once('drain', () => stream.resume());
        }
        return;
      }
      chunks.push(chunk);
      if (size <= this.memoryLimit) return;
      let path: string;
      try {
        path = tempPath(this.tempDir, '.upload');
      } catch (err) {
        return settle(err);
      }
      spill = new Spill(path);
      uploadsFor(req).spills.add(spill);
      // Multer removes the files of a refused request that carry a path, even those still arriving.
      file.path = path;
      spill.stream.on('error', (err) => settle(err));
      for (const c of chunks) spill.stream.write(c);
      chunks = [];
      if (spill.stream.writableNeedDrain) {
        stream.pause();
        spill.stream.once('drain', () => stream.resume());
      }
    };

    stream.on('data', onData);
    stream.on('limit', () => {
      truncated = true;
    });
    stream.on('error', (err: Error) => settle(err));
    stream.on('close', () => {
      if (!stream.readableEnded) settle(new Error('the upload ended before its file was complete'));
    });
    stream.on('end', () => {
      const sha256 = hash.digest('hex');
      if (!spill) {
        // A copy, also of a single piece: busboy's pieces are views of the socket's larger reads.
        const buffer = Buffer.concat(chunks, size);
        chunks = [];
        return settle(null, { size, sha256, buffer });
      }
      const s = spill;
      s.stream.end(() => {
        if (!settled) settle(null, { size, sha256, path: s.path });
      });
    });
  }

  _removeFile(req: Request, file: Express.Multer.File, cb: (error: Error | null) => void): void {
    const u = uploadsOf.get(req);
    const spill = u && [...u.spills].find((s) => s.path === file.path);
    delete (file as Partial<Express.Multer.File>).buffer;
    if (!spill) {
      if (file.path) {
        fs.promises.rm(file.path, { force: true }).then(() => cb(null), (err: Error) => cb(err));
        return;
      }
      return cb(null);
    }
    u!.spills.delete(spill);
    spill.remove().then(() => cb(null), (err: Error) => cb(err));
  }
}
