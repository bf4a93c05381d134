import type { Color } from 'pdf-lib';
import type { FontStyle } from '../../fonts/serif-font';
import type { DrawOp } from './draw-ops';
import type { LayoutContext } from './text-engine';

export interface LabelSpec {
  /** Left edge and width of the space the label is aligned in. */
  x: number;
  width: number;
  baseline: number;
  size: number;
  style?: FontStyle;
  align?: 'left' | 'center' | 'right';
  color?: Color;
}

/**
 * One unwrapped line on a given baseline, aligned in its space: page foot lines, chart labels.
 * Flowing text goes through paragraphs (and the line breaker) instead.
 */
export function label(text: string, spec: LabelSpec, ctx: LayoutContext): DrawOp {
  const style = spec.style ?? 'regular';
  const w = ctx.fonts.widthOf(text, spec.size, style);
  const offset = spec.align === 'center' ? Math.max(0, (spec.width - w) / 2) : spec.align === 'right' ? spec.width - w : 0;
  const op: DrawOp = { kind: 'text', text, x: spec.x + offset, y: spec.baseline, size: spec.size, style };
  return spec.color ? { ...op, color: spec.color } : op;
}
