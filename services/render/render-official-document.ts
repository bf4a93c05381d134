import { serifFonts } from '../fonts/serif-font';
import { greedyLineBreaker } from './layout/line-breaker';
import { composeOfficialDocument } from './official/compose';
import type { RenderInput, RenderedDocument } from './render-input';

export { Body, Block, BODY_LIMITS } from './body.schema';
export type { RenderInput, RenderedDocument, SignerArea } from './render-input';
export { RenderInputError } from './render-input';

/**
 * Renders a structured document as the official Decree 30/2020/NĐ-CP layout (A4, Tinos as the
 * Times New Roman stand-in, fonts embedded as subsets). Deterministic: the same input gives the
 * same bytes. Throws RenderInputError when the body or the date is not valid.
 */
export async function renderOfficialDocument(input: RenderInput): Promise<RenderedDocument> {
  return composeOfficialDocument(input, { fonts: serifFonts(), breakLines: greedyLineBreaker });
}
