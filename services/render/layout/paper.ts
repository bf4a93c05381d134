import type { Color, PDFDocument } from 'pdf-lib';
import { type FontStyle, serifFonts } from '../../fonts/serif-font';
import type { Box, DrawOp } from './draw-ops';
import { type PageFrame, contentWidth } from './geometry';
import { greedyLineBreaker } from './line-breaker';
import { paginate } from './paginate';
import { paint } from './paint';
import type { Align, ParagraphSpec } from './paragraph';
import type { LayoutContext } from './text-engine';

/** The shipped serif and the greedy line breaker: what every paper is laid out with. */
export function serifLayout(): LayoutContext {
  return { fonts: serifFonts(), breakLines: greedyLineBreaker };
}

export interface PaperLine {
  text: string;
  size: number;
  style?: FontStyle;
  align?: Align;
  /** Column the text lives in; the frame's content width when omitted. */
  x?: number;
  width?: number;
  /** Space above it, in points. */
  before?: number;
  keepWithNext?: boolean;
  /** Even line lengths (centred agency names: "ỦY BAN NHÂN DÂN / TỈNH ĐẮK LẮK"). */
  balanced?: boolean;
  color?: Color;
}

/** A paragraph of a report or slip: line pitch 1.25 × size, left-aligned in the frame unless told. */
export function paperParagraph(frame: PageFrame, l: PaperLine): ParagraphSpec {
  const spec: ParagraphSpec = {
    text: l.text,
    size: l.size,
    style: l.style ?? 'regular',
    align: l.align ?? 'left',
    x: l.x ?? frame.left,
    width: l.width ?? contentWidth(frame),
    lineHeight: l.size * 1.25,
    spaceBefore: l.before ?? 0,
  };
  if (l.keepWithNext) spec.keepWithNext = true;
  if (l.balanced) spec.balanced = true;
  if (l.color) spec.color = l.color;
  return spec;
}

/**
 * Lays boxes out on pages of `frame`, lets `decorate` add what each page carries beyond the flow
 * (foot lines, "Trang i/n"), and paints them as new pages of `pdf`. Returns the page count.
 */
export async function printPages(
  pdf: PDFDocument,
  boxes: readonly Box[],
  frame: PageFrame,
  ctx: LayoutContext,
  decorate?: (ops: DrawOp[], index: number, count: number) => void,
): Promise<number> {
  const { pages } = paginate(boxes, frame);
  if (decorate) pages.forEach((ops, i) => decorate(ops, i, pages.length));
  await paint(pdf, pages, frame, ctx.fonts);
  return pages.length;
}
