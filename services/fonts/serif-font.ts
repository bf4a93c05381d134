import { createHash } from 'node:crypto';
import {
  PDFDocument,
  PDFFont,
  PDFHexString,
  PDFName,
  PDFPage,
  beginText,
  endText,
  rgb,
  setFillingColor,
  setFontAndSize,
  setTextMatrix,
  showText,
  type Color,
} from 'pdf-lib';
import type { Fontkit } from 'pdf-lib/cjs/types/fontkit';
import * as fontkit from '@pdf-lib/fontkit';
import { type Face, type FontStyle, SUBSETS, loadFace } from './tinos-faces';

export type { FontStyle } from './tinos-faces';

export interface DrawTextOptions {
  x: number;
  y: number;
  size: number;
  style: FontStyle;
  color?: Color;
}

/** A word placed at its own x, for justified lines. */
export interface PlacedText {
  text: string;
  x: number;
}

/** A stretch of text that one subset file covers entirely. */
interface Run {
  face: Face;
  text: string;
}

interface DocFont {
  pdfFont: PDFFont;
  /**
   * Subset glyph ids (4 hex digits) by character. Ids are stable within one document's subset, and
   * Tinos has no ligatures, so a run is encoded by concatenation instead of a fontkit layout per run.
   */
  glyphHex: Map<string, string>;
}

const CORE_SUBSETS = 3; // latin, vietnamese, latin-ext: always probed together
const REPLACEMENT = 0xfffd; // drawn (from latin) for characters no Tinos file has
const MAX_CACHED = 50_000;
const BLACK = rgb(0, 0, 0);

/**
 * The shipped serif font as one logical font over Tinos's per-unicode-range files. Text is
 * normalised to NFC (Vietnamese is then precomposed), split into runs by the file that covers each
 * character, and each file is embedded as its own subset font. Parsed files, coverage and word
 * widths are cached per process; embedded fonts are per document.
 */
export class SerifFontSet {
  private readonly coverage = new Map<FontStyle, Map<number, number>>();
  private readonly wordWidths = new Map<FontStyle, Map<string, number>>();
  private readonly docFonts = new WeakMap<PDFDocument, Map<string, Promise<DocFont> | DocFont>>();
  private readonly pageKeys = new WeakMap<PDFPage, Map<string, PDFName>>();
  // pdf-lib's embedFont parses the bytes it is given; this hands it the face parsed once instead.
  private readonly cachingFontkit: Fontkit = {
    create: (bytes: Uint8Array) => this.faceBySfnt.get(bytes)?.font ?? fontkit.create(bytes),
  };
  private readonly faceBySfnt = new WeakMap<Uint8Array, Face>();

  /** Embeds (subset) every file `text` needs in this style, or latin + vietnamese when omitted. */
  async embed(pdf: PDFDocument, style: FontStyle, text?: string): Promise<void> {
    const needed = new Map<Face, string>();
    if (text === undefined) {
      needed.set(loadFace(style, 'latin'), '');
      needed.set(loadFace(style, 'vietnamese'), '');
    } else {
      for (const run of this.runsOf(text, style)) needed.set(run.face, (needed.get(run.face) ?? '') + run.text);
    }
    let fonts = this.docFonts.get(pdf);
    if (!fonts) this.docFonts.set(pdf, (fonts = new Map()));
    for (const face of needed.keys()) {
      if (fonts.has(face.key)) continue;
      fonts.set(face.key, this.embedFace(pdf, face, fonts));
    }
    await Promise.all([...fonts.values()]);
    for (const [face, chars] of needed) this.prime(this.docFont(pdf, face), chars);
  }

  /** Width in points; words are measured once per process and style. */
  widthOf(text: string, size: number, style: FontStyle): number {
    let cache = this.wordWidths.get(style);
    if (!cache) this.wordWidths.set(style, (cache = new Map()));
    let em = cache.get(text);
    if (em === undefined) {
      em = 0;
      for (const run of this.runsOf(text, style)) em += this.emWidthIn(run.face, run.text);
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(text, em);
    }
    return em * size;
  }

  drawText(page: PDFPage, text: string, opts: DrawTextOptions): void {
    this.drawPlaced(page, [{ text, x: opts.x }], opts);
  }

  /** Draws several pieces on one baseline in one text object (cheaper than one drawText each). */
  drawPlaced(page: PDFPage, pieces: readonly PlacedText[], opts: Omit<DrawTextOptions, 'x'>): void {
    const ops = [beginText(), setFillingColor(opts.color ?? BLACK)];
    let current: PDFName | null = null;
    for (const piece of pieces) {
      ops.push(setTextMatrix(1, 0, 0, 1, piece.x, opts.y));
      // After each string the text cursor advances by the embedded widths, which are ours.
      for (const run of this.runsOf(piece.text, opts.style)) {
        const font = this.docFont(page.doc, run.face);
        const key = this.fontKeyOn(page, run.face, font);
        if (key !== current) ops.push(setFontAndSize(key, opts.size));
        current = key;
        ops.push(showText(this.encode(font, run.text)));
      }
    }
    ops.push(endText());
    page.pushOperators(...ops);
  }

  /**
   * Serialises this document's subset fonts together. Call after the last drawText, before save:
   * pdf-lib would serialise them one by one at save, and fontkit's subsetter waits for a timer
   * tick (its bundled nextTick is setTimeout) for each, which cost more than the rendering.
   */
  async flush(pdf: PDFDocument): Promise<void> {
    const fonts = [...(this.docFonts.get(pdf)?.values() ?? [])];
    await Promise.all(fonts.map(async (f) => (await f).pdfFont.embed()));
  }

  private async embedFace(pdf: PDFDocument, face: Face, fonts: Map<string, Promise<DocFont> | DocFont>) {
    this.faceBySfnt.set(face.sfnt, face);
    pdf.registerFontkit(this.cachingFontkit);
    // A subset font is named TAG+Name (PDF 32000 §9.6.4); without the tag readers assume the whole
    // font is there. The tag only has to differ between the subsets of one document.
    const customName = `${subsetTag(face.key)}+${face.font.postscriptName}`;
    const pdfFont = await pdf.embedFont(face.sfnt, { subset: true, customName });
    const docFont: DocFont = { pdfFont, glyphHex: new Map() };
    fonts.set(face.key, docFont);
    return docFont;
  }

  private docFont(pdf: PDFDocument, face: Face): DocFont {
    const found = this.docFonts.get(pdf)?.get(face.key);
    if (!found || found instanceof Promise) {
      throw new Error(`font file ${face.key} is not embedded in this document: await embed(pdf, style, text) first`);
    }
    return found;
  }

  private fontKeyOn(page: PDFPage, face: Face, font: DocFont): PDFName {
    let keys = this.pageKeys.get(page);
    if (!keys) this.pageKeys.set(page, (keys = new Map()));
    let key = keys.get(face.key);
    if (!key) keys.set(face.key, (key = page.node.newFontDictionary(font.pdfFont.name, font.pdfFont.ref)));
    return key;
  }

  /**
   * Encodes all characters known in advance with one fontkit layout instead of one per character.
   * Combining marks are left to encode() (the font's ccmp may substitute them by context), and the
   * result is only trusted when each character became exactly one glyph.
   */
  private prime(font: DocFont, text: string): void {
    const chars = [...new Set(text)].filter((ch) => !font.glyphHex.has(ch) && !/\p{M}/u.test(ch));
    if (chars.length === 0) return;
    const hex = font.pdfFont.encodeText(chars.join('')).asString();
    if (hex.length !== chars.length * 4) return;
    chars.forEach((ch, i) => font.glyphHex.set(ch, hex.slice(i * 4, i * 4 + 4)));
  }

  private encode(font: DocFont, text: string): PDFHexString {
    let hex = '';
    for (const ch of text) {
      let glyph = font.glyphHex.get(ch);
      if (glyph === undefined) {
        glyph = font.pdfFont.encodeText(ch).asString(); // also adds the glyph to the subset
        font.glyphHex.set(ch, glyph);
      }
      hex += glyph;
    }
    return PDFHexString.of(hex);
  }

  private emWidthIn(face: Face, text: string): number {
    let em = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? REPLACEMENT;
      let w = face.advances.get(cp);
      if (w === undefined) {
        w = face.font.glyphForCodePoint(cp).advanceWidth / face.font.unitsPerEm;
        face.advances.set(cp, w);
      }
      em += w;
    }
    return em;
  }

  /** Splits clean NFC text into runs, staying in the current file while it covers the text. */
  private runsOf(text: string, style: FontStyle): Run[] {
    const runs: Run[] = [];
    let face: Face | null = null;
    let buf = '';
    for (const ch of this.drawableChars(cleanText(text), style)) {
      const mask = this.coverageOf(ch.codePointAt(0) ?? REPLACEMENT, style);
      const stay: boolean = face !== null && (mask & (1 << SUBSETS.indexOf(face.subset))) !== 0;
      const next: Face = stay && face ? face : loadFace(style, SUBSETS[lowestBit(mask)] ?? 'latin');
      if (next !== face) {
        if (face && buf) runs.push({ face, text: buf });
        face = next;
        buf = '';
      }
      buf += ch;
    }
    if (face && buf) runs.push({ face, text: buf });
    return runs;
  }

  /**
   * Characters no file covers are replaced by their compatibility form when that is covered
   * (the ligature "ﬁ" becomes "fi", a full-width digit a digit), else by U+FFFD, which latin has.
   */
  private *drawableChars(text: string, style: FontStyle): Generator<string> {
    for (const ch of text) {
      if (this.coverageOf(ch.codePointAt(0) ?? REPLACEMENT, style) !== 0) {
        yield ch;
        continue;
      }
      const compat = ch.normalize('NFKC');
      const usable = compat !== ch && [...compat].every((c) => this.coverageOf(c.codePointAt(0) ?? REPLACEMENT, style) !== 0);
      if (usable) yield* compat;
      else yield String.fromCodePoint(REPLACEMENT);
    }
  }

  /** Bit i set when SUBSETS[i] covers the code point; only the core files are always probed. */
  private coverageOf(cp: number, style: FontStyle): number {
    let byCp = this.coverage.get(style);
    if (!byCp) this.coverage.set(style, (byCp = new Map()));
    let mask = byCp.get(cp);
    if (mask === undefined) {
      mask = 0;
      for (let i = 0; i < SUBSETS.length && (i < CORE_SUBSETS || mask === 0); i++) {
        const subset = SUBSETS[i];
        if (subset && loadFace(style, subset).font.hasGlyphForCodePoint(cp)) mask |= 1 << i;
      }
      byCp.set(cp, mask);
    }
    return mask;
  }
}

/** NFC, and every control character (tab, newline…) becomes a space: callers break lines first. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/[\ud800-\udfff]/gu, '\ufffd');
}

function subsetTag(faceKey: string): string {
  const digest = createHash('sha256').update(faceKey).digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + ((digest[i] ?? 0) % 26));
  return tag;
}

function lowestBit(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}

let shared: SerifFontSet | null = null;

/** The process-wide font set: files are parsed once, whoever renders. */
export function serifFonts(): SerifFontSet {
  shared ??= new SerifFontSet();
  return shared;
}
