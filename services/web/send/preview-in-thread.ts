import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RenderInputError, type RenderInput } from '../../render/render-official-document';
import type { PreviewThreadReply } from './preview-thread.entry';

const ENTRY = path.join(__dirname, 'preview-thread.entry.js');

export interface ThreadBudget {
  /** Pages the result may have; more is refused (RenderBudgetError). */
  maxPages: number;
  /** Wall time before the thread is stopped. */
  timeoutMs: number;
  /** Heap of the thread. */
  maxMemoryMb: number;
}

export class RenderBudgetError extends Error {
  override readonly name = 'RenderBudgetError';
}

/**
 * Renders a preview (the official layout, marked as a preview) in a worker thread, never on the
 * gateway's event loop: a 118-page body kept every other request of the gateway waiting 1.7 s.
 * The thread has a page budget, a wall-clock timeout and a heap limit; it is started per preview
 * and ended after it. Documents that are sent are rendered by the convert stage, not here.
 */
export function renderPreviewInThread(input: RenderInput, budget: ThreadBudget): Promise<{ pdf: Buffer; pageCount: number }> {
  const worker = new Worker(ENTRY, {
    resourceLimits: { maxOldGenerationSizeMb: budget.maxMemoryMb },
    stdout: true,
    stderr: true,
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      f();
    };
    const timer = setTimeout(() => finish(() => reject(new RenderBudgetError(`quá ${Math.round(budget.timeoutMs / 1000)} giây`))), budget.timeoutMs);
    worker.once('message', (reply: PreviewThreadReply) => {
      if (!reply.ok) return finish(() => reject(reply.inputError ? new RenderInputError(reply.message) : new Error(reply.message)));
      if (reply.pageCount > budget.maxPages) return finish(() => reject(new RenderBudgetError(`${reply.pageCount} trang, tối đa ${budget.maxPages}`)));
      finish(() => resolve({ pdf: Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength), pageCount: reply.pageCount }));
    });
    worker.once('error', (err: Error & { code?: string }) =>
      finish(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new RenderBudgetError(`cần quá ${budget.maxMemoryMb} MB bộ nhớ`) : err)),
    );
    worker.once('exit', (code) => finish(() => reject(new Error(`the render thread ended (exit code ${code}) without an answer`))));
    worker.postMessage(input);
  });
}
