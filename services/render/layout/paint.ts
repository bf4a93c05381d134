import { PDFDocument, rgb } from 'pdf-lib';
import { type FontStyle, cleanText } from '../../fonts/serif-font';
import type { DrawOp } from './draw-ops';
import type { PageFrame } from './geometry';
import type { TextEngine } from './text-engine';

const BLACK = rgb(0, 0, 0);

/**
 * Paints laid-out pages into `pdf`. The characters of every style are gathered first so each
 * document embeds only the font files (and, at save, only the glyphs) it uses.
 */
export async function paint(pdf: PDFDocument, pages: readonly DrawOp[][], frame: PageFrame, fonts: TextEngine): Promise<void> {
  const chars = new Map<FontStyle, Set<string>>();
  const note = (style: FontStyle, text: string) => {
    let set = chars.get(style);
    if (!set) chars.set(style, (set = new Set()));
    for (const ch of cleanText(text)) set.add(ch);
  };
  for (const ops of pages) {
    for (const op of ops) {
      if (op.kind === 'text') note(op.style, op.text);
      else if (op.kind === 'pieces') for (const p of op.pieces) note(op.style, p.text);
    }
  }
  for (const [style, set] of chars) await fonts.embed(pdf, style, [...set].join(' ')); // spaces: no mark composes with a neighbour

  for (const ops of pages) {
    const page = pdf.addPage([frame.width, frame.height]);
    for (const op of ops) {
      switch (op.kind) {
        case 'text':
          fonts.drawPlaced(page, [{ text: op.text, x: op.x }], op);
          break;
        case 'pieces':
          fonts.drawPlaced(page, op.pieces, op);
          break;
        case 'rule':
          page.drawLine({ start: { x: op.x1, y: op.y1 }, end: { x: op.x2, y: op.y2 }, thickness: op.thickness, color: BLACK });
          break;
        default: {
          const never: never = op;
          throw new Error(`unknown draw op ${JSON.stringify(never)}`);
        }
      }
    }
  }
  await fonts.flush(pdf);
}
