import { parentPort } from 'node:worker_threads';
import { renderOfficialDocument, RenderInputError, type RenderInput } from '../../render/render-official-document';

/** One render of the web's body editor, in a thread of its own (see render-in-thread.ts). */
export type RenderThreadReply =
  | { ok: true; pdf: Uint8Array; pageCount: number }
  | { ok: false; inputError: boolean; message: string };

for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) console[method] = () => undefined;

parentPort?.once('message', (input: RenderInput) => {
  void renderOfficialDocument(input).then(
    (r) => {
      const pdf = new Uint8Array(r.pdf);
      parentPort?.postMessage({ ok: true, pdf, pageCount: r.pageCount } satisfies RenderThreadReply, [pdf.buffer]);
    },
    (err: unknown) =>
      parentPort?.postMessage({ ok: false, inputError: err instanceof RenderInputError, message: err instanceof Error ? err.message : String(err) } satisfies RenderThreadReply),
  );
});
