import * as fontkit from '@pdf-lib/fontkit';
import { PDFDocument, PDFFont, PDFPage } from 'pdf-lib';
import { type FontStyle, type PlacedText, cleanText } from '../../services/fonts/serif-font';
import { type Subset, readWoff } from '../../services/fonts/tinos-faces';
import type { BreakRequest, BrokenLine, LineBreaker, TextEngine } from '../../services/render/layout/text-engine';
import { composeOfficialDocument } from '../../services/render/official/compose';
import type { RenderInput, RenderedDocument } from '../../services/render/render-input';

/**
 * The baseline the benchmark compares renderOfficialDocument against: the same layout, written the
 * way one would first write it. Every document reads and parses the WOFF files again, embeds them
 * as they are (fontkit then inflates a table on every access), measures with fontkit layout and no
 * cache, and breaks lines by re-measuring the whole growing line after each word.
 */
export async function renderNaive(input: RenderInput): Promise<RenderedDocument> {
  return composeOfficialDocument(input, { fonts: new NaiveFontSet(), breakLines: naiveLineBreaker });
}

const SUBSET_ORDER: Subset[] = ['latin', 'vietnamese', 'latin-ext'];

interface NaiveFace {
  subset: Subset;
  bytes: Buffer;
  font: fontkit.Font;
}

class NaiveFontSet implements TextEngine {
  private readonly faces = new Map<FontStyle, NaiveFace[]>();
  private readonly embedded = new Map<string, PDFFont>();

  widthOf(text: string, size: number, style: FontStyle): number {
    let units = 0;
    for (const run of this.runs(text, style)) {
      const glyphs = run.face.font.layout(run.text).glyphs;
      for (const g of glyphs) units += g.advanceWidth / run.face.font.unitsPerEm;
    }
    return units * size;
  }

  async embed(pdf: PDFDocument, style: FontStyle): Promise<void> {
    pdf.registerFontkit(fontkit);
    for (const face of this.facesOf(style)) {
      const key = `${style}/${face.subset}`;
      if (this.embedded.has(key)) continue;
      this.embedded.set(key, await pdf.embedFont(face.bytes, { subset: true, customName: `${tagOf(key)}+${face.font.postscriptName}` }));
    }
  }

  drawPlaced(page: PDFPage, pieces: readonly PlacedText[], opts: { y: number; size: number; style: FontStyle }): void {
    for (const piece of pieces) {
      let x = piece.x;
      for (const run of this.runs(piece.text, opts.style)) {
        const font = this.embedded.get(`${opts.style}/${run.face.subset}`);
        if (!font) throw new Error(`font ${opts.style}/${run.face.subset} is not embedded`);
        page.drawText(run.text, { x, y: opts.y, size: opts.size, font });
        x += font.widthOfTextAtSize(run.text, opts.size);
      }
    }
  }

  async flush(): Promise<void> {
    // pdf-lib serialises the fonts at save.
  }

  private facesOf(style: FontStyle): NaiveFace[] {
    let faces = this.faces.get(style);
    if (!faces) {
      faces = SUBSET_ORDER.map((subset) => {
        const bytes = readWoff(style, subset);
        return { subset, bytes, font: fontkit.create(bytes) };
      });
      this.faces.set(style, faces);
    }
    return faces;
  }

  private runs(text: string, style: FontStyle): { face: NaiveFace; text: string }[] {
    const faces = this.facesOf(style);
    const runs: { face: NaiveFace; text: string }[] = [];
    for (const ch of cleanText(text)) {
      const cp = ch.codePointAt(0) ?? 0xfffd;
      const covering = faces.find((f) => f.font.hasGlyphForCodePoint(cp));
      const face = covering ?? faces[0];
      if (!face) continue;
      const drawn = covering ? ch : '\ufffd';
      const last = runs[runs.length - 1];
      if (last && last.face === face) last.text += drawn;
      else runs.push({ face, text: drawn });
    }
    return runs;
  }
}

function tagOf(key: string): string {
  let h = 0;
  for (const ch of key) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  let tag = '';
  for (let i = 0; i < 6; i++, h = Math.floor(h / 26)) tag += String.fromCharCode(65 + (h % 26));
  return tag;
}

/** Re-measures the whole candidate line after every word: quadratic in the words per line. */
const naiveLineBreaker: LineBreaker = (req: BreakRequest, fonts: TextEngine): BrokenLine[] => {
  const lines: BrokenLine[] = [];
  const finish = (text: string, end: boolean) => {
    const words = text.split(' ').filter((w) => w !== '');
    lines.push({ words, widths: words.map((w) => fonts.widthOf(w, req.size, req.style)), width: fonts.widthOf(text, req.size, req.style), end });
  };
  for (const hard of req.text.split('\n')) {
    let line = '';
    for (const word of hard.split(/\s+/).filter((w) => w !== '')) {
      const avail = lines.length === 0 ? req.firstWidth : req.restWidth;
      const candidate = line === '' ? word : `${line} ${word}`;
      if (fonts.widthOf(candidate, req.size, req.style) <= avail) {
        line = candidate;
        continue;
      }
      if (line !== '') finish(line, false);
      line = '';
      for (const ch of word) {
        const limit = lines.length === 0 ? req.firstWidth : req.restWidth;
        if (line !== '' && fonts.widthOf(line + ch, req.size, req.style) > limit) {
          finish(line, false);
          line = '';
        }
        line += ch;
      }
    }
    finish(line, true);
  }
  return lines;
};
