import type { DrawOp } from './draw-ops';
import { type PageFrame, contentWidth } from './geometry';
import type { LayoutContext } from './text-engine';

/** Page numbers: Arabic numerals centred in the top margin, from page 2 on (Decree 30 annex I). */
export function pageNumber(n: number, frame: PageFrame, ctx: LayoutContext): DrawOp {
  const text = String(n);
  const size = 13;
  const x = frame.left + (contentWidth(frame) - ctx.fonts.widthOf(text, size, 'regular')) / 2;
  return { kind: 'text', text, x, y: frame.height - frame.top / 2 - size / 3, size, style: 'regular' };
}
