import { parentPort } from 'node:worker_threads';
import { renderOfficialDocument, RenderInputError, type RenderInput } from '../../render/render-official-document';
import { markAsPreview } from './preview-mark';

/** One preview of the web's body editor, in a thread of its own (see preview-in-thread.ts). */
export type PreviewThreadReply =
  | { ok: true; pdf: Uint8Array; pageCount: number }
  | { ok: false; inputError: boolean; message: string };

for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) console[method] = () => undefined;

parentPort?.once('message', (input: RenderInput) => {
  void (async () => {
    try {
      const r = await renderOfficialDocument(input);
      const pdf = new Uint8Array(await markAsPreview(r.pdf));
      parentPort?.postMessage({ ok: true, pdf, pageCount: r.pageCount } satisfies PreviewThreadReply, [pdf.buffer]);
    } catch (err) {
      parentPort?.postMessage({ ok: false, inputError: err instanceof RenderInputError, message: err instanceof Error ? err.message : String(err) } satisfies PreviewThreadReply);
    }
  })();
});
