import type { Hash } from 'node:crypto';
import fs from 'node:fs';
import { BLOB_CHUNK_BYTES, sha256Hex } from '../blobs/blob.repository';
import { sniffContentType } from '../files/sniff-content-type';
import { safeFileName } from '../files/safe-file-name';
import type { AcceptedFile } from './document.repository';
import { checkSourceFile, sniffableFromHead, type SourceCheck } from './source-file';

// The files of a submission on their way in (acceptDocument): what a channel hands over, the one
// preparation every channel's files go through, and the checks of their types from their bytes.

/** A submitted file: its bytes in memory, or (a large upload) a temporary file the caller removes afterwards. */
export type IncomingFile = InMemoryFile | SpilledFile;

interface IncomingFileBase {
  name: string;
  declaredType: string | undefined;
}

export interface InMemoryFile extends IncomingFileBase {
  bytes: Buffer;
  path?: undefined;
  /** When the receiver hashed it already. */
  sha256?: string | undefined;
}

export interface SpilledFile extends IncomingFileBase {
  bytes?: undefined;
  path: string;
  size: number;
  /** Hashed as it arrived; checked again when the blob is stored. */
  sha256: string;
}

/** A file on its way in: size and hash known, bytes in memory or on disk. */
export interface PreparedFile {
  name: string;
  declaredType: string | undefined;
  size: number;
  sha256: string;
  bytes?: Buffer | undefined;
  path?: string | undefined;
}

/** Every channel's files meet here: their names go through the one sanitiser whatever the caller did. */
export function prepare(f: IncomingFile, i: number): PreparedFile {
  const name = safeFileName(f.name, i === 0 ? 'document' : `file-${i}`);
  if (f.path !== undefined) return { name, declaredType: f.declaredType, size: f.size, sha256: f.sha256, path: f.path };
  return { name, declaredType: f.declaredType, size: f.bytes.length, sha256: f.sha256 ?? sha256Hex(f.bytes), bytes: f.bytes };
}

export function fileRow(role: string, f: PreparedFile, contentType: string): AcceptedFile & { from: PreparedFile } {
  const inline = f.bytes && f.bytes.length <= BLOB_CHUNK_BYTES ? f.bytes : undefined;
  return { role, name: f.name, sha256: f.sha256, size: f.size, contentType, ...(inline ? { inline } : {}), from: f };
}

const HEAD_BYTES = 64 * 1024;

export async function readHead(file: string, bytes = HEAD_BYTES): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The main file's type: from its head when that tells (PDF, PNG, JPEG), else from all of it. */
export async function checkMainFile(f: PreparedFile): Promise<SourceCheck> {
  if (f.bytes) return checkSourceFile(f, f.bytes, 'file');
  if (f.size === 0) return checkSourceFile(f, Buffer.alloc(0), 'file');
  const head = await readHead(f.path!);
  // A large .docx or text file is read whole here, as the convert stage will read it anyway.
  return checkSourceFile(f, sniffableFromHead(head) ? head : await fs.promises.readFile(f.path!), 'file');
}

export async function attachmentType(f: PreparedFile): Promise<string> {
  const head = f.bytes ?? (await readHead(f.path!, 1024));
  return sniffContentType(head) ?? 'application/octet-stream';
}

/** Feeds a file to a hash through one reused buffer (no garbage per read for a large upload). */
export async function hashFileInto(h: Hash, file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  const buffer = Buffer.allocUnsafe(256 * 1024);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      h.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}
