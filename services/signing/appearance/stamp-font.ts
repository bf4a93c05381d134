import { createHash } from 'node:crypto';
import type { PDFRef } from 'pdf-lib';
import { deflateSync } from 'node:zlib';
import { type Face, loadFace } from '../../fonts/tinos-faces';

// The signature stamp's font, written as PDF objects by hand. The shared Tinos faces
// (services/fonts) are embedded whole — they are small per-script files — as Type0 fonts with
// Identity-H, so glyph ids go straight into the content stream. Everything that does not depend
// on object numbers (the compressed font file, widths, ToUnicode) is built once per process:
// a visible signature then costs string concatenation, not font subsetting, per document.

/** Looked up in this order, as the shared font set does: Vietnamese needs latin and vietnamese. */
const STAMP_SUBSETS = ['latin', 'vietnamese', 'latin-ext'] as const;
const REPLACEMENT = 0xfffd;

export interface StampFace {
  face: Face;
  /** A subset-style tag keeps our fonts apart from any Tinos the document already embeds. */
  baseFont: string;
  unitsPerEm: number;
  /** Advance width in 1/1000 em, by glyph id. */
  widths: number[];
  fontFileObject: Buffer;
  toUnicodeObject: Buffer;
  widthsText: string;
}

export interface GlyphRun {
  face: StampFace;
  glyphIds: number[];
}

const prepared = new Map<string, StampFace>();

function streamObject(dict: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
}

function tagFor(key: string): string {
  const digest = createHash('sha256').update(`signature-stamp:${key}`).digest();
  return Array.from(digest.subarray(0, 6), (b) => String.fromCharCode(65 + (b % 26))).join('');
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0').toUpperCase();

/** ToUnicode CMap: lets text extraction (pdftotext, search, screen readers) read the stamp back. */
function toUnicodeCmap(face: Face): string {
  const byGlyph = new Map<number, number>();
  for (const cp of face.font.characterSet) {
    const id = face.font.glyphForCodePoint(cp).id;
    if (id !== 0 && !byGlyph.has(id)) byGlyph.set(id, cp);
  }
  const lines: string[] = [];
  const entries = [...byGlyph].sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = entries.slice(i, i + 100);
    lines.push(`${chunk.length} beginbfchar`);
    for (const [id, cp] of chunk) {
      const utf16 = Buffer.from(String.fromCodePoint(cp), 'utf16le').swap16().toString('hex').toUpperCase();
      lines.push(`<${hex4(id)}> <${utf16}>`);
    }
    lines.push('endbfchar');
  }
  return [
    '/CIDInit /ProcSet findresource begin', '12 dict begin', 'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def', '/CMapType 2 def',
    '1 begincodespacerange', '<0000> <FFFF>', 'endcodespacerange',
    ...lines, 'endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end',
  ].join('\n');
}

function prepare(subset: (typeof STAMP_SUBSETS)[number]): StampFace {
  const face = loadFace('regular', subset);
  const cached = prepared.get(face.key);
  if (cached) return cached;
  const { font } = face;
  const widths = Array.from({ length: font.numGlyphs }, (_, id) => Math.round((font.getGlyph(id).advanceWidth * 1000) / font.unitsPerEm));
  const stamp: StampFace = {
    face,
    baseFont: `${tagFor(face.key)}+${font.postscriptName}`,
    unitsPerEm: font.unitsPerEm,
    widths,
    fontFileObject: streamObject(`/Filter /FlateDecode /Length1 ${face.sfnt.length}`, deflateSync(face.sfnt)),
    toUnicodeObject: streamObject('/Filter /FlateDecode', deflateSync(Buffer.from(toUnicodeCmap(face), 'latin1'))),
    widthsText: `[0 [${widths.join(' ')}]]`,
  };
  prepared.set(face.key, stamp);
  return stamp;
}

/**
 * Splits text into runs of glyphs, each from the first face that has the character. Text is
 * NFC-normalised first, so Vietnamese arrives precomposed (ố, not o + ◌̂ + ◌́).
 */
export function shapeRuns(text: string): GlyphRun[] {
  const runs: GlyphRun[] = [];
  for (const ch of text.normalize('NFC')) {
    const { face, id } = glyphOf(ch.codePointAt(0) ?? REPLACEMENT);
    const last = runs[runs.length - 1];
    if (last && last.face === face) last.glyphIds.push(id);
    else runs.push({ face, glyphIds: [id] });
  }
  return runs;
}

/**
 * A character's face and glyph, looked up in the faces once per process (a stamp has ~100
 * characters). Bounded: text with every code point there is cannot make it grow without end.
 */
const glyphs = new Map<number, { face: StampFace; id: number }>();
const MAX_CACHED_GLYPHS = 8192;

function glyphOf(cp: number): { face: StampFace; id: number } {
  const known = glyphs.get(cp);
  if (known) return known;
  // latin-ext is large: it is read, and embedded, only when a character needs it
  const subset = STAMP_SUBSETS.find((s) => loadFace('regular', s).font.hasGlyphForCodePoint(cp));
  const face = prepare(subset ?? 'latin');
  const found = { face, id: face.face.font.glyphForCodePoint(subset ? cp : REPLACEMENT).id };
  if (glyphs.size < MAX_CACHED_GLYPHS) glyphs.set(cp, found);
  return found;
}

/** Width of runs in 1/1000 em: a whole number, so widths of parts add up exactly. */
export function runsUnits(runs: GlyphRun[]): number {
  let units = 0;
  for (const run of runs) for (const id of run.glyphIds) units += run.face.widths[id] ?? 0;
  return units;
}

/** Width in points of runs at `size`. */
export function runsWidth(runs: GlyphRun[], size: number): number {
  return (runsUnits(runs) * size) / 1000;
}

export const glyphHex = (run: GlyphRun): string => `<${run.glyphIds.map(hex4).join('')}>`;

/** The five objects of one embedded face: Type0 font, CIDFont, descriptor, font file, ToUnicode. */
export interface FaceRefs {
  font: PDFRef;
  cid: PDFRef;
  descriptor: PDFRef;
  file: PDFRef;
  toUnicode: PDFRef;
}

export function faceObjects(face: StampFace, refs: FaceRefs): [PDFRef, Buffer][] {
  const { font } = face.face;
  const bbox = [font.bbox.minX, font.bbox.minY, font.bbox.maxX, font.bbox.maxY].map((v) => Math.round((v * 1000) / face.unitsPerEm));
  const scale = (v: number): number => Math.round((v * 1000) / face.unitsPerEm);
  const text = (s: string): Buffer => Buffer.from(s, 'latin1');
  return [
    [refs.font, text(`<< /Type /Font /Subtype /Type0 /BaseFont /${face.baseFont} /Encoding /Identity-H /DescendantFonts [${refs.cid}] /ToUnicode ${refs.toUnicode} >>`)],
    [refs.cid, text(
      `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${face.baseFont} ` +
      `/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${refs.descriptor} ` +
      `/CIDToGIDMap /Identity /W ${face.widthsText} >>`,
    )],
    [refs.descriptor, text(
      `<< /Type /FontDescriptor /FontName /${face.baseFont} /Flags 6 /FontBBox [${bbox.join(' ')}] /ItalicAngle ${font.italicAngle} ` +
      `/Ascent ${scale(font.ascent)} /Descent ${scale(font.descent)} /CapHeight ${scale(font.capHeight)} /StemV 80 /FontFile2 ${refs.file} >>`,
    )],
    [refs.file, face.fontFileObject],
    [refs.toUnicode, face.toUnicodeObject],
  ];
}
