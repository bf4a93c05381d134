import type { DocumentMetadata } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { findAgency } from '../../domain/agencies/agency.repository';
import { Body } from '../../render/body.schema';
import { renderOfficialDocument, RenderInputError } from '../../render/render-official-document';
import { blocksFromText } from './body-text';

export type ComposeResult = { ok: true; pdf: Buffer } | { ok: false; field: string; message: string };

/**
 * Renders the body editor's text as the official Decree 30 layout with the number it will carry.
 * The API does not take a structured body yet, so the web renders here and sends the PDF through
 * acceptDocument like any upload; the render is bounded by the body schema's limits.
 */
export async function composePdf(db: Queryable, sender: string, metadata: DocumentMetadata, number: string, bodyText: string, copies: string): Promise<ComposeResult> {
  const body = Body.safeParse({
    blocks: blocksFromText(bodyText),
    ...(metadata.recipientsText?.length ? { recipientsText: metadata.recipientsText } : {}),
    copies: copies || 'Lưu: VT.',
  });
  if (!body.success) return { ok: false, field: 'bodyText', message: 'Hãy soạn nội dung văn bản (ít nhất một đoạn; không quá dài).' };
  const agency = await findAgency(db, sender);
  const parent = agency?.parentCode ? await findAgency(db, agency.parentCode) : undefined;
  try {
    const rendered = await renderOfficialDocument({
      agency: { name: agency?.name ?? sender, parentName: parent?.name ?? null },
      metadata: { ...metadata, number },
      body: body.data,
    });
    return { ok: true, pdf: rendered.pdf };
  } catch (err) {
    if (err instanceof RenderInputError) return { ok: false, field: 'bodyText', message: `Không trình bày được văn bản: ${err.message}` };
    throw err;
  }
}
