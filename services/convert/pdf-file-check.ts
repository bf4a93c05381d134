import { promises as fsp } from 'node:fs';
import { PdfFileReader, PdfPageTreeError, PdfUnreadableError } from '../signing/pdf-file-reader';
import { ConvertError } from './convert-errors';
import { checkPdf, encrypted } from './pdf-source';
import type { ResolvedConvertOptions } from './convert-options';

export interface CheckPdfFileOptions extends Pick<ResolvedConvertOptions, 'maxPages'> {
  /**
   * When the lazy reader cannot follow the file's structure, files up to this size are checked
   * whole in memory with checkPdf (more forgiving); larger ones fail with PDF_INVALID.
   * Default 128 MiB.
   */
  maxInMemoryFallbackBytes?: number;
}

export const DEFAULT_CHECK_FALLBACK_BYTES = 128 * 1024 * 1024;

const EOF_WINDOW = 1024;

/**
 * checkPdf for a PDF in a file, reading only its tail, its cross-reference sections and its
 * objects one at a time (never a stream's contents, except object streams): memory does not
 * grow with the file. Same checks and the same ConvertError codes: an end-of-file marker
 * (PDF_INVALID when cut off), no encryption (PDF_ENCRYPTED), every object the xref lists parses,
 * 1..maxPages pages counted by walking the page tree (PDF_INVALID, TOO_MANY_PAGES). Whatever the
 * lazy reader cannot follow (sloppy xref offsets, an unsupported filter on an object stream)
 * is left to checkPdf on the whole file, so nothing checkPdf accepts is refused here. Returns
 * the page count.
 */
export async function checkPdfFile(path: string, opts: CheckPdfFileOptions): Promise<number> {
  const handle = await fsp.open(path, 'r');
  try {
    const { size } = await handle.stat();
    const tail = Buffer.alloc(Math.min(EOF_WINDOW, size));
    if (tail.length > 0) await handle.read(tail, 0, tail.length, size - tail.length);
    if (!tail.includes('%%EOF')) {
      throw new ConvertError('PDF_INVALID', 'the PDF has no end-of-file marker: the file looks truncated');
    }
    let pages: number;
    try {
      const reader = PdfFileReader.open(handle.fd, size);
      if (reader.trailer.Encrypt) throw encrypted();
      reader.checkAllObjects();
      reader.catalog();
      pages = reader.countPages();
    } catch (err) {
      if (err instanceof PdfPageTreeError) {
        throw new ConvertError('PDF_INVALID', `the PDF's page tree is broken: ${err.message}`);
      }
      if (!(err instanceof PdfUnreadableError)) throw err;
      // The lazy reader trusts the xref; pdf-lib's full parse scans the objects and forgives
      // sloppy offsets. Let it decide, at the price of memory in the file's size.
      const limit = opts.maxInMemoryFallbackBytes ?? DEFAULT_CHECK_FALLBACK_BYTES;
      if (size > limit) throw new ConvertError('PDF_INVALID', `the PDF cannot be read: ${err.message}`);
      return await checkPdf(await handle.readFile(), opts);
    }
    if (pages < 1) throw new ConvertError('PDF_INVALID', 'the PDF has no pages');
    if (pages > opts.maxPages) throw new ConvertError('TOO_MANY_PAGES', `the PDF has ${pages} pages; at most ${opts.maxPages} are accepted`);
    return pages;
  } finally {
    await handle.close();
  }
}
