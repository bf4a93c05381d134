import { PDFDocument } from 'pdf-lib';
import { ConvertError } from './convert-errors';
import type { ResolvedConvertOptions } from './convert-options';

/**
 * Checks a PDF that is passed through unchanged (checkPdfFile in pdf-file-check does the same
 * for a PDF in a file without loading it): it parses, it is not encrypted (a signature and
 * the recipients' readers need it open), it has pages, and not too many. Returns its page count.
 */
export async function checkPdf(bytes: Buffer, opts: Pick<ResolvedConvertOptions, 'maxPages'>): Promise<number> {
  // A cut-off upload loses its trailer; pdf-lib would quietly rebuild what it can from the rest.
  if (!bytes.subarray(Math.max(0, bytes.length - 1024)).includes('%%EOF')) {
    throw new ConvertError('PDF_INVALID', 'the PDF has no end-of-file marker: the file looks truncated');
  }
  let pdf: PDFDocument;
  try {
    // Strict: what we pass on is signed and read by other agencies' software.
    pdf = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
  } catch (e) {
    if (await isEncrypted(bytes)) throw encrypted();
    throw new ConvertError('PDF_INVALID', `the PDF cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (pdf.isEncrypted) throw encrypted();
  let pages: number;
  try {
    pages = pdf.getPages().length; // walks the page tree, so a broken tree fails here, not later
  } catch (e) {
    throw new ConvertError('PDF_INVALID', `the PDF's page tree is broken: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (pages < 1) throw new ConvertError('PDF_INVALID', 'the PDF has no pages');
  if (pages > opts.maxPages) throw new ConvertError('TOO_MANY_PAGES', `the PDF has ${pages} pages; at most ${opts.maxPages} are accepted`);
  return pages;
}

export function encrypted(): ConvertError {
  return new ConvertError('PDF_ENCRYPTED', 'the PDF is encrypted or password-protected: send it without protection');
}

/**
 * Encrypted strings and object streams fail the strict parse before pdf-lib looks at /Encrypt, so
 * after a failure a lenient parse tells an encrypted file from a broken one. (pdf-lib's
 * EncryptedPDFError cannot be caught with instanceof: it is compiled to ES5.)
 */
async function isEncrypted(bytes: Buffer): Promise<boolean> {
  try {
    return (await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true })).isEncrypted;
  } catch {
    return false;
  }
}
