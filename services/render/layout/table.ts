import type { Color } from 'pdf-lib';
import type { Box, DrawOp } from './draw-ops';
import { type Align, type ParagraphSpec, breakParagraph, placeLines } from './paragraph';
import type { BrokenLine, LayoutContext } from './text-engine';

export interface TableColumn {
  width: number;
  align: Align;
}

/** A column of a report or register table: its header text, fixed width and alignment. */
export interface HeadedColumn extends TableColumn {
  header: string;
}

export interface TableStyle {
  x: number;
  width: number;
  size: number;
  lineHeight: number;
  padding: number;
  border: number;
  spaceBefore: number;
  /** Fixed widths and alignments (reports, registers); without them widths follow the text (document bodies). */
  columns?: readonly TableColumn[];
  /** The first row is a header: bold, shaded, kept with the first row, repeated on every page the table runs onto. */
  header?: { fill: Color };
  /** Rows (indexes in `rows`) set in bold and shaded: a total line. */
  emphasised?: { rows: ReadonlySet<number>; fill: Color };
  borderColor?: Color;
  /** Cells centred vertically in their row, so a one-line number sits level with a two-line name. */
  middle?: boolean;
}

const MIN_COLUMN = 24; // points: below this a column cannot hold even a short word

interface RowLook {
  specs: ParagraphSpec[];
  fill?: Color;
}

/** A bordered table: one box per row, wrapped cell text, rows split only when taller than the room a page has. */
export function tableBoxes(rows: string[][], style: TableStyle, ctx: LayoutContext): Box[] {
  const columns = style.columns?.length ?? Math.max(1, ...rows.map((r) => r.length));
  const widths = style.columns ? style.columns.map((c) => c.width) : columnWidths(rows, columns, style, ctx);
  const specs = widths.map((w, c): ParagraphSpec => {
    const left = style.x + widths.slice(0, c).reduce((a, b) => a + b, 0);
    const align = style.columns?.[c]?.align ?? 'left';
    return { text: '', size: style.size, style: 'regular', align, x: left + style.padding, width: w - 2 * style.padding, lineHeight: style.lineHeight, spaceBefore: 0 };
  });
  const bold = specs.map((s): ParagraphSpec => ({ ...s, style: 'bold' }));
  const lookOf = (r: number): RowLook => {
    if (r === 0 && style.header) return { specs: bold, fill: style.header.fill };
    if (style.emphasised?.rows.has(r)) return { specs: bold, fill: style.emphasised.fill };
    return { specs };
  };
  const rowOf = (row: string[], look: RowLook, spaceBefore: number) =>
    rowBox(look.specs.map((spec, c) => breakParagraph({ ...spec, text: row[c] ?? '' }, ctx)), look, widths, style, spaceBefore);
  const boxes = rows.map((row, r) => rowOf(row, lookOf(r), r === 0 ? style.spaceBefore : 0));
  const [head] = rows;
  if (style.header && head && boxes.length > 1) {
    const first = boxes[0];
    if (first) first.keepWithNext = true; // a header alone at the foot of a page helps no one
    const running = rowOf(head, lookOf(0), 0);
    for (const box of boxes.slice(1)) box.runningHeader = running;
  }
  return boxes;
}

function rowBox(cells: BrokenLine[][], look: RowLook, widths: number[], style: TableStyle, spaceBefore: number): Box {
  const lineCount = Math.max(1, ...cells.map((c) => c.length));
  const height = lineCount * style.lineHeight + 2 * style.padding;
  const box: Box = {
    height,
    spaceBefore,
    place(top: number, out: DrawOp[]) {
      if (look.fill) out.push({ kind: 'rect', x: style.x, y: top - height, width: sum(widths), height, fill: look.fill });
      cells.forEach((lines, c) => {
        const spec = look.specs[c];
        const sink = style.middle ? ((lineCount - lines.length) * style.lineHeight) / 2 : 0;
        if (spec) placeLines(lines, spec, top - style.padding - sink, out);
      });
      drawBorders(top, height, widths, style, out);
    },
    split(available: number): [Box, Box] | null {
      const fits = Math.floor((available - 2 * style.padding) / style.lineHeight);
      if (fits < 1 || fits >= lineCount) return null;
      const head = cells.map((lines) => lines.slice(0, fits));
      const tail = cells.map((lines) => lines.slice(fits));
      const rest = rowBox(tail, look, widths, style, 0);
      if (box.runningHeader) rest.runningHeader = box.runningHeader;
      return [rowBox(head, look, widths, style, spaceBefore), rest];
    },
  };
  return box;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function drawBorders(top: number, height: number, widths: number[], style: TableStyle, out: DrawOp[]): void {
  const bottom = top - height;
  const right = style.x + widths.reduce((a, b) => a + b, 0);
  const t = style.border;
  const rule = (x1: number, y1: number, x2: number, y2: number): DrawOp =>
    style.borderColor ? { kind: 'rule', x1, y1, x2, y2, thickness: t, color: style.borderColor } : { kind: 'rule', x1, y1, x2, y2, thickness: t };
  out.push(rule(style.x, top, right, top));
  out.push(rule(style.x, bottom, right, bottom));
  let x = style.x;
  out.push(rule(x, top, x, bottom));
  for (const w of widths) {
    x += w;
    out.push(rule(x, top, x, bottom));
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
  const total = style.width;
  if (sum(natural) <= total) return natural.map((n) => (n * total) / sum(natural));
  if (sum(minimum) >= total) return minimum.map((m) => (m * total) / sum(minimum));
  const extra = natural.map((n, c) => n - (minimum[c] ?? 0));
  const spare = total - sum(minimum);
  return minimum.map((m, c) => m + (spare * (extra[c] ?? 0)) / sum(extra));
}
