import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConvertError, isConvertErrorCode } from './convert-errors';
import type { CheckReply, CheckRequest } from './pdf-file-check.entry';
import type { CheckPdfFileOptions } from './pdf-file-check';

// checkPdfFile parses every object a PDF's cross-reference lists: for a file with 600,000
// objects that is seconds of CPU, which held a worker process's event loop (issue 15: 11 s,
// outside the convert budget, delaying other agencies' documents). Here it runs in a thread of
// its own with a time budget and a heap limit; the thread is ended after each file.

const ENTRY = path.join(__dirname, 'pdf-file-check.entry.js');
const MEMORY_MB = 512;

export function checkPdfFileInThread(file: string, opts: CheckPdfFileOptions, budgetMs: number): Promise<number> {
  const worker = new Worker(ENTRY, { resourceLimits: { maxOldGenerationSizeMb: MEMORY_MB, maxYoungGenerationSizeMb: 32 } });
  return new Promise<number>((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      worker.removeAllListeners();
      void worker.terminate();
    };
    const timer = setTimeout(() => {
      finish();
      reject(new ConvertError('CONVERT_TIMEOUT', `checking the PDF took longer than ${budgetMs} ms and was stopped`));
    }, budgetMs);
    worker.once('message', (reply: CheckReply) => {
      finish();
      if (reply.ok) resolve(reply.pages);
      else if (reply.convertCode && isConvertErrorCode(reply.convertCode)) reject(new ConvertError(reply.convertCode, reply.message));
      else reject(Object.assign(new Error(reply.message), { name: reply.name }));
    });
    worker.once('error', (err: Error & { code?: string }) => {
      finish();
      reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new ConvertError('CONVERT_OUT_OF_MEMORY', 'checking the PDF ran out of memory') : err);
    });
    worker.once('exit', (code) => {
      finish();
      reject(new Error(`the PDF check thread ended (exit code ${code})`));
    });
    worker.postMessage({ path: file, opts } satisfies CheckRequest);
  });
}
