import { PDFDocument, rgb, type Color, type PDFPage } from 'pdf-lib';
import type { FontStyle, SerifFontSet } from '../../fonts/serif-font';

export const BLACK = rgb(0, 0, 0);
export const GREY = rgb(0.45, 0.45, 0.45);

export interface Margins {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export interface TextOptions {
  size: number;
  style?: FontStyle;
  align?: 'left' | 'center' | 'right';
  /** Left edge and width of the box the text is aligned in (default: between the margins). */
  x?: number;
  width?: number;
  color?: Color;
  /** Extra space after the line(s), in points. */
  after?: number;
}

/** Splits text into lines no wider than `width`; a word longer than a line is cut by characters. */
export function wrapText(fonts: SerifFontSet, text: string, size: number, style: FontStyle, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (fonts.widthOf(candidate, size, style) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = word;
      while (fonts.widthOf(line, size, style) > width && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && fonts.widthOf(line.slice(0, cut), size, style) > width) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    lines.push(line);
  }
  return lines;
}

/** A top-to-bottom cursor over pages of one size: text flows, and a new page starts when full. */
export class PageFlow {
  page: PDFPage;
  y: number;
  private readonly onNewPage: ((flow: PageFlow) => void)[] = [];

  constructor(
    readonly pdf: PDFDocument,
    readonly fonts: SerifFontSet,
    readonly pageSize: [number, number],
    readonly margins: Margins,
  ) {
    this.page = pdf.addPage(pageSize);
    this.y = pageSize[1] - margins.top;
  }

  get left(): number {
    return this.margins.left;
  }

  get width(): number {
    return this.pageSize[0] - this.margins.left - this.margins.right;
  }

  /** Called after each page break (a table repeats its header this way); returns an unsubscriber. */
  whenNewPage(fn: (flow: PageFlow) => void): () => void {
    this.onNewPage.push(fn);
    return () => this.onNewPage.splice(this.onNewPage.indexOf(fn), 1);
  }

  newPage(): void {
    this.page = this.pdf.addPage(this.pageSize);
    this.y = this.pageSize[1] - this.margins.top;
    for (const fn of [...this.onNewPage]) fn(this);
  }

  /** Makes room for `height` points, breaking the page when they do not fit. */
  ensure(height: number): void {
    if (this.y - height < this.margins.bottom) this.newPage();
  }

  /** Wrapped text at the cursor, which moves below it. */
  text(text: string, o: TextOptions): void {
    const style = o.style ?? 'regular';
    const x0 = o.x ?? this.left;
    const width = o.width ?? this.width;
    const lineHeight = o.size * 1.25;
    for (const line of wrapText(this.fonts, text, o.size, style, width)) {
      this.ensure(lineHeight);
      this.y -= lineHeight;
      drawAligned(this.fonts, this.page, line, { ...o, style, x: x0, width }, this.y + o.size * 0.25);
    }
    this.y -= o.after ?? 0;
  }
}

/** One line of text aligned in a box, baseline at `baseline`. */
export function drawAligned(
  fonts: SerifFontSet,
  page: PDFPage,
  line: string,
  o: { size: number; style: FontStyle; align?: 'left' | 'center' | 'right'; x: number; width: number; color?: Color },
  baseline: number,
): void {
  const w = fonts.widthOf(line, o.size, o.style);
  const x = o.align === 'center' ? o.x + (o.width - w) / 2 : o.align === 'right' ? o.x + o.width - w : o.x;
  fonts.drawText(page, line, { x, y: baseline, size: o.size, style: o.style, color: o.color ?? BLACK });
}
