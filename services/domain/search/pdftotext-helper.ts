/**
 * The small process that runs pdftotext for the workers (see pdftotext-pool.ts). Starting a program
 * from a large Node process costs its fork of the whole address space — ~11 ms of CPU from the
 * workers' 500 MB against under 1 ms from this one — so the workers send the bytes here over IPC.
 * Ends when its parent goes (the IPC channel closes).
 */
import { runPdftotext } from './pdftotext-run';

export interface TextRequest {
  id: number;
  source: Uint8Array | string;
}
export type TextReply = { id: number; text: string } | { id: number; error: string };

if (require.main === module && process.send) {
  process.on('message', (m: TextRequest) => {
    const source = typeof m.source === 'string' ? m.source : Buffer.from(m.source.buffer, m.source.byteOffset, m.source.byteLength);
    runPdftotext(source).then(
      (text) => process.send?.({ id: m.id, text } satisfies TextReply),
      (err: Error) => process.send?.({ id: m.id, error: err.message } satisfies TextReply),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
