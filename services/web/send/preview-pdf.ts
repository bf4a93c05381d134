import type { Body, DocumentMetadata } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { findAgency } from '../../domain/agencies/agency.repository';
import { RenderInputError } from '../../render/render-official-document';
import { RenderBudgetError, renderPreviewInThread, type ThreadBudget } from './preview-in-thread';

export type PreviewResult = { ok: true; pdf: Buffer } | { ok: false; field: string; message: string };

/** A preview is for reading before sending: longer documents are refused, not rendered whole. */
export const PREVIEW_BUDGET: ThreadBudget = { maxPages: 40, timeoutMs: 15_000, maxMemoryMb: 256 };

/** Printed where the number goes: a preview never guesses the number the register will issue. */
export const PREVIEW_NUMBER = '...';

/**
 * A preview of a composed body, for reading before sending or approving — never the document:
 * the number is left blank ("Số: .../…") unless the clerk typed one, every page is marked
 * "BẢN XEM TRƯỚC", and nothing is stored. The document that is sent is rendered by the convert stage (same renderer) after the
 * intake has issued its number. Rendered in a worker thread (never on the gateway's event loop)
 * within PREVIEW_BUDGET.
 */
export async function previewPdf(db: Queryable, sender: string, metadata: DocumentMetadata, body: Body): Promise<PreviewResult> {
  // Roughly 3,000 characters fill a page: a body far beyond the budget is refused before any work.
  const characters = body.blocks.reduce((n, b) => n + (b.type === 'table' ? b.rows.flat().join('').length : b.text.length), 0);
  if (characters > PREVIEW_BUDGET.maxPages * 6_000) {
    return { ok: false, field: 'bodyText', message: `Văn bản quá dài để xem trước (tối đa khoảng ${PREVIEW_BUDGET.maxPages} trang); vẫn có thể gửi.` };
  }
  const agency = await findAgency(db, sender);
  const parent = agency?.parentCode ? await findAgency(db, agency.parentCode) : undefined;
  try {
    const rendered = await renderPreviewInThread(
      { agency: { name: agency?.name ?? sender, parentName: parent?.name ?? null }, metadata: { ...metadata, number: metadata.number ?? PREVIEW_NUMBER }, body },
      PREVIEW_BUDGET,
    );
    return { ok: true, pdf: rendered.pdf };
  } catch (err) {
    if (err instanceof RenderInputError) return { ok: false, field: 'bodyText', message: `Không trình bày được văn bản: ${err.message}` };
    if (err instanceof RenderBudgetError) return { ok: false, field: 'bodyText', message: `Văn bản vượt giới hạn để xem trước (${err.message}); vẫn có thể gửi.` };
    throw err;
  }
}
