import type { DocumentMetadata } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { findAgency } from '../../domain/agencies/agency.repository';
import { Body } from '../../render/body.schema';
import { RenderInputError } from '../../render/render-official-document';
import { RenderBudgetError, renderInThread, type ThreadBudget } from './render-in-thread';
import { blocksFromText } from './body-text';

export type ComposeResult = { ok: true; pdf: Buffer } | { ok: false; field: string; message: string };

/** A preview is for reading before sending: longer documents are refused, not rendered whole. */
export const PREVIEW_BUDGET: ThreadBudget = { maxPages: 40, timeoutMs: 15_000, maxMemoryMb: 256 };
/** Composing a document to send: the body schema's own limits, the same thread. */
export const SEND_BUDGET: ThreadBudget = { maxPages: 500, timeoutMs: 60_000, maxMemoryMb: 512 };

/**
 * Renders the body editor's text as the official Decree 30 layout with the number it will carry.
 * The web renders here and sends the PDF through acceptDocument like any upload; the render runs
 * in a worker thread (never on the gateway's event loop) within `budget`.
 */
export async function composePdf(db: Queryable, sender: string, metadata: DocumentMetadata, number: string, bodyText: string, copies: string, budget: ThreadBudget = SEND_BUDGET): Promise<ComposeResult> {
  const body = Body.safeParse({
    blocks: blocksFromText(bodyText),
    ...(metadata.recipientsText?.length ? { recipientsText: metadata.recipientsText } : {}),
    copies: copies || 'Lưu: VT.',
  });
  if (!body.success) return { ok: false, field: 'bodyText', message: 'Hãy soạn nội dung văn bản (ít nhất một đoạn; không quá dài).' };
  const agency = await findAgency(db, sender);
  const parent = agency?.parentCode ? await findAgency(db, agency.parentCode) : undefined;
  // Roughly 3,000 characters fill a page: a body far beyond the budget is refused before any work.
  if (bodyText.length > budget.maxPages * 6_000) return { ok: false, field: 'bodyText', message: `Văn bản quá dài (tối đa khoảng ${budget.maxPages} trang).` };
  try {
    const rendered = await renderInThread(
      { agency: { name: agency?.name ?? sender, parentName: parent?.name ?? null }, metadata: { ...metadata, number }, body: body.data },
      budget,
    );
    return { ok: true, pdf: rendered.pdf };
  } catch (err) {
    if (err instanceof RenderInputError) return { ok: false, field: 'bodyText', message: `Không trình bày được văn bản: ${err.message}` };
    if (err instanceof RenderBudgetError) return { ok: false, field: 'bodyText', message: `Văn bản vượt giới hạn để trình bày (${err.message}).` };
    throw err;
  }
}
