import { rgb } from 'pdf-lib';
import type { Box, DrawOp } from '../render/layout/draw-ops';
import { type PageFrame, contentWidth } from '../render/layout/geometry';
import { label } from '../render/layout/label';
import { type HeadedColumn, tableBoxes } from '../render/layout/table';
import type { LayoutContext } from '../render/layout/text-engine';

/** How reports and registers look: grey foot lines, a shaded header row, a shaded total row. */

export const GREY = rgb(0.45, 0.45, 0.45);
const BORDER = rgb(0.3, 0.3, 0.3);
const HEADER_FILL = rgb(0.9, 0.92, 0.96);
const TOTAL_FILL = rgb(0.96, 0.96, 0.9);
const TABLE_SIZE = 9;

/**
 * A report table through the layout engine's table: fixed columns, header row repeated on each
 * page it runs onto, cells centred vertically; `totalRow` (an index in `rows`) bold and shaded.
 */
export function reportTable(columns: readonly HeadedColumn[], rows: string[][], frame: PageFrame, ctx: LayoutContext, spaceBefore: number, totalRow?: number): Box[] {
  return tableBoxes(
    [columns.map((c) => c.header), ...rows],
    {
      x: frame.left,
      width: contentWidth(frame),
      size: TABLE_SIZE,
      lineHeight: TABLE_SIZE * 1.2,
      padding: 3,
      border: 0.5,
      spaceBefore,
      columns,
      header: { fill: HEADER_FILL },
      ...(totalRow === undefined ? {} : { emphasised: { rows: new Set([totalRow + 1]), fill: TOTAL_FILL } }),
      borderColor: BORDER,
      middle: true,
    },
    ctx,
  );
}

/** The foot of a report page: a note on the left and "Trang i/n" on the right, in grey. */
export function footLine(note: string, frame: PageFrame, ctx: LayoutContext): (ops: DrawOp[], index: number, count: number) => void {
  const spec = { x: frame.left, width: contentWidth(frame), baseline: 22, size: 8, color: GREY };
  return (ops, index, count) => {
    ops.push(label(note, { ...spec, style: 'italic' }, ctx));
    ops.push(label(`Trang ${index + 1}/${count}`, { ...spec, align: 'right' }, ctx));
  };
}
