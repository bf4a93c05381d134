import type { Block } from '../body.schema';
import type { Box } from './draw-ops';
import { type Align, paragraphBoxes } from './paragraph';
import { tableBoxes } from './table';
import type { LayoutContext } from './text-engine';

/** How body blocks look: the Decree 30 body, or the plainer layout of converted sources. */
export interface BlockProfile {
  x: number;
  width: number;
  size: number;
  lineHeight: number;
  paragraphSpacing: number;
  firstIndent: number;
  level2Indent: number;
  align: Align;
  tableSize: number;
  tableLineHeight: number;
}

/** Lays out blocks into boxes; every line is its own box so pages break between lines. */
export function blockBoxes(blocks: readonly Block[], p: BlockProfile, ctx: LayoutContext): Box[] {
  const boxes: Box[] = [];
  const base = { size: p.size, lineHeight: p.lineHeight, spaceBefore: p.paragraphSpacing, x: p.x, width: p.width };
  for (const block of blocks) {
    switch (block.type) {
      case 'paragraph':
        boxes.push(...paragraphBoxes({ ...base, text: block.text, style: 'regular', align: p.align, firstIndent: p.firstIndent }, ctx));
        break;
      case 'item': {
        // Decree 30 prints a label as the start of its paragraph ("1. Giám đốc…", "a) Triển khai…");
        // a level-2 item is set in by one more step as a whole.
        const inset = block.level === 2 ? p.level2Indent : 0;
        const text = `${block.label} ${block.text}`;
        boxes.push(...paragraphBoxes({ ...base, x: p.x + inset, width: p.width - inset, text, style: 'regular', align: p.align, firstIndent: p.firstIndent }, ctx));
        break;
      }
      case 'heading':
        boxes.push(
          ...paragraphBoxes({ ...base, text: block.text, style: 'bold', align: 'left', firstIndent: p.firstIndent, spaceBefore: 2 * p.paragraphSpacing, keepWithNext: true }, ctx),
        );
        break;
      case 'table':
        boxes.push(
          ...tableBoxes(block.rows, { x: p.x, width: p.width, size: p.tableSize, lineHeight: p.tableLineHeight, padding: 4, border: 0.6, spaceBefore: 2 * p.paragraphSpacing }, ctx),
        );
        break;
      default: {
        const never: never = block;
        throw new Error(`unknown block ${JSON.stringify(never)}`);
      }
    }
  }
  return boxes;
}
