import type { Queryable } from '../../db/pool';
import { MAX_TEXT_CHARS } from './pdftotext-run';
import { pdftotext } from './pdftotext-pool';

export { MAX_TEXT_CHARS };

/**
 * The text of a PDF with poppler's pdftotext (UTF-8, the first 200 pages), from its bytes or a
 * file path, run by a small helper process (pdftotext-pool.ts). A scanned PDF without a text
 * layer gives ''. Rejects when pdftotext fails or hangs.
 */
export async function extractPdfText(source: Buffer | string): Promise<string> {
  return normalizeText(await pdftotext(source));
}

/** Whitespace runs to one space, form feeds (page breaks) too; NFC so diacritics fold alike. */
export function normalizeText(s: string): string {
  return s.normalize('NFC').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT_CHARS);
}

/** Keeps a document's text once (the first extraction wins); the search trigger re-indexes it. */
export async function keepDocumentText(db: Queryable, documentId: string, text: string): Promise<void> {
  await db.query(`INSERT INTO document_texts (document_id, content) VALUES ($1, $2) ON CONFLICT (document_id) DO NOTHING`, [documentId, text]);
}
