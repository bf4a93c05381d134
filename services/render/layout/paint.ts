import { type PDFDocument, type PDFPage, rgb } from 'pdf-lib';
import { type FontStyle, cleanText } from '../../fonts/serif-font';
import type { DrawOp } from './draw-ops';
import type { PageFrame } from './geometry';
import type { TextEngine } from './text-engine';

const BLACK = rgb(0, 0, 0);

/**
 * The paint layer: the one place laid-out pages become PDF drawing operators. Every paper the
 * service prints (official documents, converted sources, reports, registers, slips, the foot line
 * of a printed copy) is laid out into DrawOps and painted here.
 */

/** Paints laid-out pages into `pdf` as new pages of the frame's size. */
export async function paint(pdf: PDFDocument, pages: readonly DrawOp[][], frame: PageFrame, fonts: TextEngine): Promise<void> {
  await embedFonts(pdf, pages, fonts);
  for (const ops of pages) drawOps(pdf.addPage([frame.width, frame.height]), ops, fonts);
  await fonts.flush(pdf);
}

/** Paints ops over pages that already exist (a printed copy's foot line on a kept PDF's pages). */
export async function paintOver(pdf: PDFDocument, targets: readonly { page: PDFPage; ops: DrawOp[] }[], fonts: TextEngine): Promise<void> {
  await embedFonts(pdf, targets.map((t) => t.ops), fonts);
  for (const t of targets) drawOps(t.page, t.ops, fonts);
  await fonts.flush(pdf);
}

/**
 * The characters of every style are gathered first so each document embeds only the font files
 * (and, at save, only the glyphs) it uses.
 */
async function embedFonts(pdf: PDFDocument, pages: readonly DrawOp[][], fonts: TextEngine): Promise<void> {
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
}

function drawOps(page: PDFPage, ops: readonly DrawOp[], fonts: TextEngine): void {
  for (const op of ops) {
    switch (op.kind) {
      case 'text':
        fonts.drawPlaced(page, [{ text: op.text, x: op.x }], op);
        break;
      case 'pieces':
        fonts.drawPlaced(page, op.pieces, op);
        break;
      case 'rule':
        page.drawLine({
          start: { x: op.x1, y: op.y1 },
          end: { x: op.x2, y: op.y2 },
          thickness: op.thickness,
          color: op.color ?? BLACK,
          ...(op.dash ? { dashArray: op.dash } : {}),
        });
        break;
      case 'rect':
        page.drawRectangle({
          x: op.x,
          y: op.y,
          width: op.width,
          height: op.height,
          ...(op.fill ? { color: op.fill } : {}),
          ...(op.border ? { borderColor: op.border, borderWidth: op.borderWidth ?? 0.5 } : {}),
        });
        break;
      default: {
        const never: never = op;
        throw new Error(`unknown draw op ${JSON.stringify(never)}`);
      }
    }
  }
}
