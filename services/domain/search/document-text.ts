import { MAX_TEXT_CHARS } from './pdftotext-run';
import { pdftotext } from './pdftotext-pool';
import { residentText } from './pdftotext-resident';

export { MAX_TEXT_CHARS };

/**
 * The text of a PDF as poppler's pdftotext gives it (UTF-8, the first 200 pages), from its bytes or
 * a file path. PDF bytes up to 4 MiB go to the resident extractor (poppler's library kept loaded,
 * pdftotext-resident.ts: no program start per document); files, larger PDFs and whatever it cannot
 * answer go to pdftotext, run by a small helper process (pdftotext-pool.ts). A scanned PDF without
 * a text layer gives ''. Rejects when pdftotext fails or hangs.
 */
export async function extractPdfText(source: Buffer | string): Promise<string> {
  const resident = typeof source === 'string' ? null : await residentText(source);
  return normalizeText(resident ?? (await pdftotext(source)));
}

/** Whitespace runs to one space, form feeds (page breaks) too; NFC so diacritics fold alike. */
export function normalizeText(s: string): string {
  return s.normalize('NFC').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT_CHARS);
}
