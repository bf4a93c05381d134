import { parentPort } from 'node:worker_threads';
import { ConvertError } from './convert-errors';
import { checkPdfFile, type CheckPdfFileOptions } from './pdf-file-check';

/** A thread checking one PDF file (pdf-file-check-in-thread.ts): one request at a time. */
export interface CheckRequest {
  path: string;
  opts: CheckPdfFileOptions;
}

export type CheckReply = { ok: true; pages: number } | { ok: false; convertCode: string | null; name: string; message: string };

parentPort?.once('message', ({ path, opts }: CheckRequest) => {
  checkPdfFile(path, opts).then(
    (pages) => parentPort?.postMessage({ ok: true, pages } satisfies CheckReply),
    (err: Error) => parentPort?.postMessage({ ok: false, convertCode: err instanceof ConvertError ? err.code : null, name: err.name, message: err.message } satisfies CheckReply),
  );
});
