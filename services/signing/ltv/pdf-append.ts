import { createHash, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { requestTimestamp } from '../tsa-client';
import { SignatureTooLargeError, UnsignablePdfError } from '../errors';
import { PdfFileReader } from '../pdf-file-reader';
import { fileSignTarget } from '../pdf-file-signing';
import { buildSignatureUpdate, loadSignTarget, SignTarget } from '../pdf-placeholder';
import type { TimestampOptions } from '../signature-timestamp';

// Incremental updates after a signature, on a PDF held in memory or in a file (large PDFs are
// signed file to file and stay there): the bytes already in the file are never rewritten, the
// update is appended. The document timestamp (PAdES B-LTA, /SubFilter /ETSI.RFC3161) is an
// RFC 3161 token over SHA-256 of everything but its own /Contents.

/** `target`: the document as the last update left it (no parse needed); it must describe exactly `bytes`. */
export type PdfSource = { bytes: Buffer; target?: SignTarget } | { path: string };

/** Bytes reserved for a document timestamp token (the TSA's certificates included). */
export const DOC_TIMESTAMP_CAPACITY_BYTES = 12 * 1024;

/** Builds an update against the source's current end (`build` is synchronous: the file is read lazily while it runs). */
export async function withTarget<T>(src: PdfSource, build: (t: SignTarget) => T): Promise<T> {
  if ('bytes' in src) {
    if (src.target && src.target.length === src.bytes.length) return build(src.target);
    const { original, target } = await loadSignTarget(src.bytes);
    if (original.length !== src.bytes.length || !original.equals(src.bytes)) {
      throw new UnsignablePdfError('the signed PDF has no readable cross-reference section to append to');
    }
    return build(target);
  }
  const input = await fsp.open(src.path, 'r');
  try {
    const { size } = await input.stat();
    return build(fileSignTarget(PdfFileReader.open(input.fd, size)));
  } finally {
    await input.close();
  }
}

export async function appendUpdate(src: PdfSource, update: Buffer, next?: SignTarget): Promise<PdfSource> {
  if ('bytes' in src) return { bytes: Buffer.concat([src.bytes, update]), ...(next ? { target: next } : {}) };
  await fsp.appendFile(src.path, update);
  return src;
}

async function hashSource(src: PdfSource, hash: Hash): Promise<number> {
  if ('bytes' in src) {
    hash.update(src.bytes);
    return src.bytes.length;
  }
  const file = await fsp.open(src.path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, pos);
      if (bytesRead <= 0) return pos;
      hash.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await file.close();
  }
}

/** Appends a document timestamp over the whole file; returns the new source and the token. */
export async function appendDocTimestamp(src: PdfSource, tsa: TimestampOptions): Promise<{ src: PdfSource; token: Buffer }> {
  const built = await withTarget(src, (t) => ({ ...buildSignatureUpdate(t, { signingTime: new Date(), docTimestamp: true }, DOC_TIMESTAMP_CAPACITY_BYTES), length: t.length }));
  const { update, byteRange, contentsOffset, capacity, length, next } = built;
  const hash = createHash('sha256');
  const hashed = await hashSource(src, hash);
  if (hashed !== length) throw new Error('the PDF changed while its document timestamp was prepared');
  hash.update(update.subarray(0, byteRange[1] - length)).update(update.subarray(byteRange[2] - length));
  const token = await requestTimestamp(tsa.url, hash.digest(), tsa.timeoutMs !== undefined ? { timeoutMs: tsa.timeoutMs } : {});
  if (token.length > capacity) throw new SignatureTooLargeError(token.length, capacity);
  update.write(token.toString('hex'), contentsOffset - length, 'latin1');
  return { src: await appendUpdate(src, update, next), token };
}
