import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PDFDocument } from 'pdf-lib';
import { SerifFontSet, serifFonts } from '../../../services/fonts/serif-font';
import { loadFace } from '../../../services/fonts/tinos-faces';
import { pdffonts, pdftotext } from './poppler-tools';

async function onePage(text: string, size = 20): Promise<Buffer> {
  const fonts = serifFonts();
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595.28, 841.89]);
  await fonts.embed(pdf, 'regular', text);
  fonts.drawText(page, text, { x: 100, y: 700, size, style: 'regular' });
  await fonts.flush(pdf);
  return Buffer.from(await pdf.save());
}

/** Word boxes as pdftotext -bbox sees them. */
function wordBoxes(pdf: Buffer): { word: string; xMin: number; xMax: number }[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-bbox-'));
  const file = path.join(dir, 'doc.pdf');
  fs.writeFileSync(file, pdf);
  const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((m) => ({
    word: m[3] ?? '',
    xMin: Number(m[1]),
    xMax: Number(m[2]),
  }));
}

describe('when text is drawn with the shipped serif font', () => {
  it('then Vietnamese spread over the latin and vietnamese files reads back exactly, at the measured width', async () => {
    const word = 'Đắk-Lắk-Nguyễn-Thượng-khẩn';
    const pdf = await onePage(word);
    const [box] = wordBoxes(pdf);
    expect(box?.word).to.equal(word);
    expect(box?.xMin).to.be.closeTo(100, 0.5);
    expect(box?.xMax).to.be.closeTo(100 + serifFonts().widthOf(word, 20, 'regular'), 0.5);
    const names = pdffonts(pdf).map((f) => f.name);
    expect(names).to.have.length(2); // latin + vietnamese, nothing unused
  });

  it('then decomposed input is normalised to NFC and other scripts embed their own files', async () => {
    const decomposed = 'Tie\u0302\u0301ng Vie\u0323\u0302t';
    const pdf = await onePage(`${decomposed} Ωμέγα Привет`);
    expect(pdftotext(pdf, []).trim()).to.equal('Tiếng Việt Ωμέγα Привет');
    expect(pdffonts(pdf).length).to.equal(4); // latin, vietnamese, greek, cyrillic
  });

  it('then a ligature character is drawn as its letters and a character no file has as U+FFFD', async () => {
    const pdf = await onePage('ﬁnal 漢');
    expect(pdftotext(pdf, []).trim()).to.equal('final \ufffd');
  });

  it('then a letter first pulled into a subset as an accent\'s component still reads back in the next document', async () => {
    const draw = async (text: string) => {
      const fonts = serifFonts();
      const pdf = await PDFDocument.create();
      await fonts.embed(pdf, 'boldItalic', text);
      fonts.drawText(pdf.addPage(), text, { x: 50, y: 500, size: 20, style: 'boldItalic' });
      await fonts.flush(pdf);
      return pdftotext(Buffer.from(await pdf.save()), []).trim();
    };
    expect(await draw('Ú')).to.equal('Ú'); // its glyph is built from U and an acute accent
    expect(await draw('UNESCO')).to.equal('UNESCO');
  });

  it('then drawing before embedding fails with a sentence that says what to do', async () => {
    const fonts = new SerifFontSet();
    const pdf = await PDFDocument.create();
    const page = pdf.addPage();
    expect(() => fonts.drawText(page, 'ắ', { x: 0, y: 0, size: 10, style: 'bold' })).to.throw(/not embedded.*embed\(pdf, style, text\)/);
  });

  it('then the font files are parsed once per process, whichever font set asks', () => {
    expect(loadFace('regular', 'latin')).to.equal(loadFace('regular', 'latin'));
    expect(loadFace('bold', 'vietnamese').font.postscriptName).to.equal('Tinos-Bold');
    expect(serifFonts()).to.equal(serifFonts());
  });
});
