import type { Box, DrawOp } from './draw-ops';
import { type ParagraphSpec, breakParagraph, placeLines } from './paragraph';
import type { BrokenLine, LayoutContext } from './text-engine';

export interface TableStyle {
  x: number;
  width: number;
  size: number;
  lineHeight: number;
  padding: number;
  border: number;
  spaceBefore: number;
}

const MIN_COLUMN = 24; // points: below this a column cannot hold even a short word

/** A simple bordered table: one box per row, wrapped cell text, rows split only when taller than a page. */
export function tableBoxes(rows: string[][], style: TableStyle, ctx: LayoutContext): Box[] {
  const columns = Math.max(1, ...rows.map((r) => r.length));
  const widths = columnWidths(rows, columns, style, ctx);
  const specs = widths.map((w, c): ParagraphSpec => {
    const left = style.x + widths.slice(0, c).reduce((a, b) => a + b, 0);
    return { text: '', size: style.size, style: 'regular', align: 'left', x: left + style.padding, width: w - 2 * style.padding, lineHeight: style.lineHeight, spaceBefore: 0 };
  });
  return rows.map((row, r) => {
    const cells = specs.map((spec, c) => breakParagraph({ ...spec, text: row[c] ?? '' }, ctx));
    return rowBox(cells, specs, widths, style, r === 0 ? style.spaceBefore : 0);
  });
}

function rowBox(cells: BrokenLine[][], specs: ParagraphSpec[], widths: number[], style: TableStyle, spaceBefore: number): Box {
  const lineCount = Math.max(1, ...cells.map((c) => c.length));
  const height = lineCount * style.lineHeight + 2 * style.padding;
  return {
    height,
    spaceBefore,
    place(top: number, out: DrawOp[]) {
      cells.forEach((lines, c) => {
        const spec = specs[c];
        if (spec) placeLines(lines, spec, top - style.padding, out);
      });
      drawBorders(top, height, widths, style, out);
    },
    split(available: number): [Box, Box] | null {
      const fits = Math.floor((available - 2 * style.padding) / style.lineHeight);
      if (fits < 1 || fits >= lineCount) return null;
      const head = cells.map((lines) => lines.slice(0, fits));
      const tail = cells.map((lines) => lines.slice(fits));
      return [rowBox(head, specs, widths, style, spaceBefore), rowBox(tail, specs, widths, style, 0)];
    },
  };
}

function drawBorders(top: number, height: number, widths: number[], style: TableStyle, out: DrawOp[]): void {
  const bottom = top - height;
  const right = style.x + widths.reduce((a, b) => a + b, 0);
  const t = style.border;
  out.push({ kind: 'rule', x1: style.x, y1: top, x2: right, y2: top, thickness: t });
  out.push({ kind: 'rule', x1: style.x, y1: bottom, x2: right, y2: bottom, thickness: t });
  let x = style.x;
  out.push({ kind: 'rule', x1: x, y1: top, x2: x, y2: bottom, thickness: t });
  for (const w of widths) {
    x += w;
    out.push({ kind: 'rule', x1: x, y1: top, x2: x, y2: bottom, thickness: t });
  }
}

/**
 * Columns get their natural (one-line) width when everything fits; otherwise each keeps its longest
 * word and the remaining width is shared in proportion to how much more text the column holds.
 */
function columnWidths(rows: string[][], columns: number, style: TableStyle, ctx: LayoutContext): number[] {
  const pad = 2 * style.padding;
  const natural = new Array<number>(columns).fill(MIN_COLUMN);
  const minimum = new Array<number>(columns).fill(MIN_COLUMN);
  for (const row of rows) {
    for (let c = 0; c < columns; c++) {
      const text = row[c] ?? '';
      const lines = ctx.breakLines({ text, size: style.size, style: 'regular', firstWidth: Infinity, restWidth: Infinity }, ctx.fonts);
      for (const line of lines) {
        natural[c] = Math.max(natural[c] ?? 0, line.width + pad);
        for (const w of line.widths) minimum[c] = Math.max(minimum[c] ?? 0, Math.min(w, style.width / columns) + pad);
      }
    }
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const total = style.width;
  if (sum(natural) <= total) return natural.map((n) => (n * total) / sum(natural));
  if (sum(minimum) >= total) return minimum.map((m) => (m * total) / sum(minimum));
  const extra = natural.map((n, c) => n - (minimum[c] ?? 0));
  const spare = total - sum(minimum);
  return minimum.map((m, c) => m + (spare * (extra[c] ?? 0)) / sum(extra));
}
