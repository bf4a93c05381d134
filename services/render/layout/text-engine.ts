import type { Color, PDFDocument, PDFPage } from 'pdf-lib';
import type { FontStyle, PlacedText } from '../../fonts/serif-font';

/** What layout and painting need from a font set; SerifFontSet is the real one. */
export interface TextEngine {
  widthOf(text: string, size: number, style: FontStyle): number;
  embed(pdf: PDFDocument, style: FontStyle, text?: string): Promise<void>;
  drawPlaced(page: PDFPage, pieces: readonly PlacedText[], opts: { y: number; size: number; style: FontStyle; color?: Color }): void;
  /** Called once all text is drawn, before save. */
  flush(pdf: PDFDocument): Promise<void>;
}

export interface BreakRequest {
  text: string;
  size: number;
  style: FontStyle;
  firstWidth: number;
  restWidth: number;
}

/** One output line: its words and their widths; `end` marks the end of a paragraph or hard break. */
export interface BrokenLine {
  words: string[];
  widths: number[];
  width: number;
  end: boolean;
}

export type LineBreaker = (request: BreakRequest, fonts: TextEngine) => BrokenLine[];

export interface LayoutContext {
  fonts: TextEngine;
  breakLines: LineBreaker;
}
