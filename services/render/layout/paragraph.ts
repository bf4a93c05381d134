import type { Color } from 'pdf-lib';
import type { FontStyle } from '../../fonts/serif-font';
import type { Box, DrawOp } from './draw-ops';
import { baselineOffset } from './geometry';
import { balancedLines } from './line-breaker';
import type { BrokenLine, LayoutContext } from './text-engine';

export type Align = 'justify' | 'left' | 'center' | 'right';

export interface ParagraphSpec {
  text: string;
  size: number;
  style: FontStyle;
  align: Align;
  /** Left edge and width of the column the paragraph lives in. */
  x: number;
  width: number;
  firstIndent?: number;
  /** Indent of the lines after the first (a hanging indent for "- " recipient lines). */
  restIndent?: number;
  lineHeight: number;
  spaceBefore: number;
  /** Headings: never end a page right after any of their lines. */
  keepWithNext?: boolean;
  /** Centred titles: even line lengths instead of greedy ones. */
  balanced?: boolean;
  /** Black unless given (the grey foot lines of reports). */
  color?: Color;
}

export function breakParagraph(spec: ParagraphSpec, ctx: LayoutContext): BrokenLine[] {
  if (spec.balanced) {
    return balancedLines({ text: spec.text, size: spec.size, style: spec.style, width: spec.width }, ctx.fonts, ctx.breakLines);
  }
  const first = spec.width - (spec.firstIndent ?? 0);
  const rest = spec.width - (spec.restIndent ?? 0);
  return ctx.breakLines({ text: spec.text, size: spec.size, style: spec.style, firstWidth: first, restWidth: rest }, ctx.fonts);
}

/** Draws one broken line with its top edge at `top`. */
export function placeLine(line: BrokenLine, first: boolean, spec: ParagraphSpec, top: number, out: DrawOp[]): void {
  if (line.words.length === 0) return;
  const y = top - baselineOffset(spec.size, spec.lineHeight);
  const indent = first ? (spec.firstIndent ?? 0) : (spec.restIndent ?? 0);
  const x = spec.x + indent;
  const avail = spec.width - indent;
  const { size, style } = spec;
  if (spec.align === 'justify' && !line.end && line.words.length > 1) {
    const gap = (avail - line.widths.reduce((a, b) => a + b, 0)) / (line.words.length - 1);
    let at = x;
    const pieces = line.words.map((text, i) => {
      const piece = { text, x: at };
      at += (line.widths[i] ?? 0) + gap;
      return piece;
    });
    out.push(spec.color ? { kind: 'pieces', pieces, y, size, style, color: spec.color } : { kind: 'pieces', pieces, y, size, style });
    return;
  }
  const offset = spec.align === 'center' ? Math.max(0, (avail - line.width) / 2) : spec.align === 'right' ? Math.max(0, avail - line.width) : 0;
  const text = line.words.join(' ');
  out.push(spec.color ? { kind: 'text', text, x: x + offset, y, size, style, color: spec.color } : { kind: 'text', text, x: x + offset, y, size, style });
}

/** Places a whole broken paragraph from `top`; returns the height used. */
export function placeLines(lines: BrokenLine[], spec: ParagraphSpec, top: number, out: DrawOp[]): number {
  lines.forEach((line, i) => placeLine(line, i === 0, spec, top - i * spec.lineHeight, out));
  return lines.length * spec.lineHeight;
}

/** One box per line, so pages can break between lines of a paragraph. */
export function paragraphBoxes(spec: ParagraphSpec, ctx: LayoutContext): Box[] {
  const lines = breakParagraph(spec, ctx);
  return lines.map((line, i) => ({
    height: spec.lineHeight,
    spaceBefore: i === 0 ? spec.spaceBefore : 0,
    keepWithNext: spec.keepWithNext === true,
    place: (top, out) => placeLine(line, i === 0, spec, top, out),
  }));
}

/** A box of fixed height whose content is drawn by `draw` (title blocks, rules, columns). */
export function fixedBox(height: number, spaceBefore: number, draw: Box['place'], keepWithNext = false): Box {
  return { height, spaceBefore, keepWithNext, place: draw };
}

/**
 * Paragraphs stacked in one column as a single box (each keeps its own spaceBefore): the parts of
 * a title block or a receipt block that sit beside another column.
 */
export function stackBox(specs: readonly ParagraphSpec[], ctx: LayoutContext, spaceBefore = 0): Box {
  const broken = specs.map((spec) => ({ spec, lines: breakParagraph(spec, ctx) }));
  const height = broken.reduce((h, b, i) => h + (i === 0 ? 0 : b.spec.spaceBefore) + b.lines.length * b.spec.lineHeight, 0);
  return fixedBox(height, spaceBefore, (top, out) => {
    let y = top;
    broken.forEach((b, i) => {
      if (i > 0) y -= b.spec.spaceBefore;
      y -= placeLines(b.lines, b.spec, y, out);
    });
  });
}

/** Boxes side by side from one top edge (each draws at its own x): as tall as the tallest. */
export function sideBySide(parts: readonly Box[], spaceBefore = 0): Box {
  const height = Math.max(0, ...parts.map((p) => p.height));
  return fixedBox(height, spaceBefore, (top, out, marks) => {
    for (const p of parts) p.place(top, out, marks);
  });
}
