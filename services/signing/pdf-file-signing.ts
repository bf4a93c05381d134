import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { PDFArray, PDFDict, PDFNumber, PDFRef } from 'pdf-lib';
import { UnsignablePdfError } from './errors';
import { PdfFileReader, PdfPageTreeError, PdfUnreadableError } from './pdf-file-reader';
import type { SignTarget } from './pdf-placeholder';

// The file side of signing: what buildSignatureUpdate needs, taken from the lazy reader, and
// the chunked copy of the original that hashes it on the way.

function rectangle(reader: PdfFileReader, value: unknown, name: string): { x: number; y: number; width: number; height: number } {
  if (!(value instanceof PDFArray) || value.size() !== 4) throw new PdfUnreadableError(`the first page's /${name} is not a rectangle`);
  const [llx, lly, urx, ury] = value.asArray().map((item) => {
    const n = reader.deref(item);
    if (!(n instanceof PDFNumber)) throw new PdfUnreadableError(`the first page's /${name} holds something other than numbers`);
    return n.asNumber();
  }) as [number, number, number, number];
  // as pdf-lib's PDFArray.asRectangle, so both signing paths place the stamp identically
  return { x: llx, y: lly, width: urx - llx, height: ury - lly };
}

/**
 * The SignTarget of the file behind `reader`. Encrypted files and files without pages are
 * refused (UnsignablePdfError); what the lazy reader cannot follow throws PdfUnreadableError,
 * after which the caller may load the file whole instead.
 */
export function fileSignTarget(reader: PdfFileReader): SignTarget {
  if (reader.trailer.Encrypt) throw new UnsignablePdfError('cannot sign an encrypted PDF');
  const { ref: catalogRef, dict: catalog } = reader.catalog();
  let first: { ref: PDFRef; node: PDFDict } | undefined;
  try {
    first = reader.firstPage();
  } catch (err) {
    if (err instanceof PdfPageTreeError) throw new UnsignablePdfError(`the PDF's page tree is broken: ${err.message}`);
    throw err;
  }
  if (!first) throw new UnsignablePdfError('the PDF has no pages');
  const crop = reader.inherited(first.node, 'CropBox');
  const box = crop !== undefined ? rectangle(reader, crop, 'CropBox') : rectangle(reader, reader.inherited(first.node, 'MediaBox'), 'MediaBox');
  const rotate = reader.inherited(first.node, 'Rotate');
  const angle = rotate instanceof PDFNumber ? rotate.asNumber() : 0;
  const { Info, ID } = reader.trailer;
  return {
    context: reader.context,
    catalogRef,
    catalog,
    page: { ref: first.ref, node: first.node, geometry: { box, rotation: ((angle % 360) + 360) % 360 } },
    trailer: { Info, ID },
    tail: reader.tail,
    nextObjectNumber: Math.max(reader.largestObjectNumber + 1, reader.tail.size),
    header: reader.read(0, 8).toString('latin1'),
    length: reader.size,
    lastByte: reader.lastByte(),
    lookup: (o) => reader.deref(o),
  };
}

export const COPY_CHUNK_BYTES = 1024 * 1024;

export async function writeAll(output: FileHandle, data: Uint8Array): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await output.write(data, done, data.length - done);
    if (bytesWritten <= 0) throw new Error('could not write the signed PDF');
    done += bytesWritten;
  }
}

/** Copies the first `length` bytes of `input` to `output` through one reused buffer, hashing them. */
export async function copyAndHash(input: FileHandle, output: FileHandle, length: number, hash: Hash): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK_BYTES, Math.max(1, length)));
  for (let pos = 0; pos < length; ) {
    const { bytesRead } = await input.read(buf, 0, Math.min(buf.length, length - pos), pos);
    if (bytesRead <= 0) throw new UnsignablePdfError(`the PDF file shrank while it was being signed (at ${pos} of ${length} bytes)`);
    const chunk = buf.subarray(0, bytesRead);
    hash.update(chunk);
    await writeAll(output, chunk);
    pos += bytesRead;
  }
}

export { PdfUnreadableError };
