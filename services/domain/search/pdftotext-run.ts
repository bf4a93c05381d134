import { spawn } from 'node:child_process';

/** Text kept per document for search: enough for any official document, bounded for a huge scan. */
export const MAX_TEXT_CHARS = 200_000;
const TIMEOUT_MS = 30_000;

/**
 * One run of poppler's pdftotext (UTF-8, the first 200 pages) on PDF bytes or a file path: its raw
 * output, at most ~4 bytes per kept character. Rejects when pdftotext fails or hangs (30 s).
 */
export function runPdftotext(source: Buffer | string): Promise<string> {
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
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    child.stdin.on('error', () => undefined); // pdftotext may stop reading early; its exit code decides
    if (typeof source === 'string') child.stdin.end();
    else child.stdin.end(source);
  });
}
