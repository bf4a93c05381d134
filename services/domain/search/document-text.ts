import { spawn } from 'node:child_process';
import type { Queryable } from '../../db/pool';

/** Text kept per document for search: enough for any official document, bounded for a huge scan. */
export const MAX_TEXT_CHARS = 200_000;
const TIMEOUT_MS = 30_000;

/**
 * The text of a PDF with poppler's pdftotext (UTF-8, the first 200 pages), from its bytes or a
 * file path. A scanned PDF without a text layer gives ''. Rejects when pdftotext fails or hangs.
 */
export function extractPdfText(source: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = typeof source === 'string' ? source : '-';
    const child = spawn('pdftotext', ['-enc', 'UTF-8', '-l', '200', '-q', input, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.on('data', (c: Buffer) => {
      if (size < MAX_TEXT_CHARS * 4) chunks.push(c);
      size += c.length;
    });
    child.stderr.resume();
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`pdftotext ended with ${signal ?? `code ${code}`}`));
      resolve(normalizeText(Buffer.concat(chunks).toString('utf8')));
    });
    child.stdin.on('error', () => undefined); // pdftotext may stop reading early; its exit code decides
    if (typeof source === 'string') child.stdin.end();
    else child.stdin.end(source);
  });
}

/** Whitespace runs to one space, form feeds (page breaks) too; NFC so diacritics fold alike. */
export function normalizeText(s: string): string {
  return s.normalize('NFC').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT_CHARS);
}

/** Keeps a document's text once (the first extraction wins); the search trigger re-indexes it. */
export async function keepDocumentText(db: Queryable, documentId: string, text: string): Promise<void> {
  await db.query(`INSERT INTO document_texts (document_id, content) VALUES ($1, $2) ON CONFLICT (document_id) DO NOTHING`, [documentId, text]);
}
