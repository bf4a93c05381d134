import { rgb } from 'pdf-lib';
import type { FontStyle } from '../../fonts/serif-font';
import { drawAligned, wrapText, type PageFlow } from './pdf-layout';

export interface Column {
  header: string;
  width: number;
  align: 'left' | 'center' | 'right';
}

export interface TableStyle {
  size: number;
  headerSize: number;
  padX: number;
  padY: number;
}

const BORDER = rgb(0.3, 0.3, 0.3);
const HEADER_FILL = rgb(0.9, 0.92, 0.96);
const TOTAL_FILL = rgb(0.96, 0.96, 0.9);

interface RowSpec {
  cells: string[];
  style: FontStyle;
  size: number;
  fill?: ReturnType<typeof rgb>;
}

/**
 * A bordered table that flows across pages: rows are never split, and the header row is drawn
 * again at the top of each new page. `emphasised` rows (the province total) are bold and shaded.
 */
export function drawTable(flow: PageFlow, columns: Column[], rows: string[][], style: TableStyle, emphasised: ReadonlySet<number> = new Set()): void {
  const header: RowSpec = { cells: columns.map((c) => c.header), style: 'bold', size: style.headerSize, fill: HEADER_FILL };
  // A header alone at the foot of a page helps no one: it starts where its first row fits too.
  flow.ensure(rowHeight(flow, columns, header, style) + rowHeight(flow, columns, { cells: rows[0] ?? [], style: 'regular', size: style.size }, style));
  drawRow(flow, columns, header, style);
  const stop = flow.whenNewPage((f) => drawRow(f, columns, header, style));
  try {
    rows.forEach((cells, i) => {
      const spec: RowSpec = emphasised.has(i) ? { cells, style: 'bold', size: style.size, fill: TOTAL_FILL } : { cells, style: 'regular', size: style.size };
      flow.ensure(rowHeight(flow, columns, spec, style));
      drawRow(flow, columns, spec, style);
    });
  } finally {
    stop();
  }
}

function cellLines(flow: PageFlow, columns: Column[], row: RowSpec, style: TableStyle): string[][] {
  return columns.map((c, i) => wrapText(flow.fonts, row.cells[i] ?? '', row.size, row.style, c.width - 2 * style.padX));
}

function rowHeight(flow: PageFlow, columns: Column[], row: RowSpec, style: TableStyle): number {
  const lines = Math.max(1, ...cellLines(flow, columns, row, style).map((l) => l.length));
  return lines * row.size * 1.2 + 2 * style.padY;
}

function drawRow(flow: PageFlow, columns: Column[], row: RowSpec, style: TableStyle): void {
  const lines = cellLines(flow, columns, row, style);
  const height = rowHeight(flow, columns, row, style);
  const top = flow.y;
  let x = flow.left;
  columns.forEach((c, i) => {
    flow.page.drawRectangle({ x, y: top - height, width: c.width, height, borderColor: BORDER, borderWidth: 0.5, ...(row.fill ? { color: row.fill } : {}) });
    const cell = lines[i] ?? [];
    // Cells are vertically centred, so a one-line number sits level with a two-line name.
    const block = cell.length * row.size * 1.2;
    let baseline = top - (height - block) / 2 - row.size * 0.95;
    for (const line of cell) {
      drawAligned(flow.fonts, flow.page, line, { size: row.size, style: row.style, align: c.align, x: x + style.padX, width: c.width - 2 * style.padX }, baseline);
      baseline -= row.size * 1.2;
    }
    x += c.width;
  });
  flow.y = top - height;
}
