import v8 from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { ConvertError, RENDER_INVALID } from './convert-errors';
import type { ConvertOptions } from './convert-options';
import { convertSource } from './convert-source';
import type { RenderInput } from '../render/render-official-document';

// The renderer is loaded by the first body a thread renders, not by every warm thread: a workers
// process keeps several conversion threads, most of which only ever convert files.
type Renderer = typeof import('../render/render-official-document');
let renderer: Renderer | undefined;
const loadRenderer = async (): Promise<Renderer> => (renderer ??= await import('../render/render-official-document'));

/** A conversion thread of convertInWorker: answers one request at a time, kept warm between them. */
export interface WorkerRequest {
  id: number;
  bytes: Uint8Array;
  opts: ConvertOptions;
  /** A structured body to render in the official layout (the convert stage's "body" source) instead of `bytes`. */
  render?: RenderInput;
}

/** Every reply carries the thread's committed V8 heap after the job (`heapBytes`): the pool bounds it. */
type Answer = { id: number; ok: true; pdf: Uint8Array; pageCount: number; sourceType: string } | { id: number; ok: false; code: string; message: string };
export type WorkerReply = Answer & { heapBytes: number };

// Library chatter about hostile input (pdf-lib logs every odd object) must not reach the logs.
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) console[method] = () => undefined;

parentPort?.on('message', (request: WorkerRequest) => {
  void answer(request);
});

async function answer({ id, bytes, opts, render }: WorkerRequest): Promise<void> {
  let reply: Answer;
  const transfer: ArrayBuffer[] = [];
  try {
    const result = render
      ? { ...(await (await loadRenderer()).renderOfficialDocument(render)), sourceType: 'body' }
      : await convertSource(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), opts);
    const pdf = new Uint8Array(result.pdf); // a copy we own, so it moves to the caller without another copy
    transfer.push(pdf.buffer);
    reply = { id, ok: true, pdf, pageCount: result.pageCount, sourceType: result.sourceType };
  } catch (e) {
    reply =
      e instanceof ConvertError
        ? { id, ok: false, code: e.code, message: e.message }
        : renderer && e instanceof renderer.RenderInputError
          ? { id, ok: false, code: RENDER_INVALID, message: e.message }
        : { id, ok: false, code: 'CONVERT_FAILED', message: e instanceof Error ? e.message : String(e) };
  }
  parentPort?.postMessage({ ...reply, heapBytes: v8.getHeapStatistics().total_heap_size }, transfer);
}
