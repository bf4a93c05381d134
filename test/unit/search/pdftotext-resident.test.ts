import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'chai';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { extractPdfText, normalizeText } from '../../../services/domain/search/document-text';
import { residentPid, residentText, stopResident } from '../../../services/domain/search/pdftotext-resident';
import { RESIDENT_EXTRACTOR_PY } from '../../../services/domain/search/pdftotext-resident-source';
import { renderOfficialDocument } from '../../../services/render/render-official-document';
import { directiveInput, onePageInput } from '../render/directive-fixture';

/** What pdftotext itself prints for these bytes (the independent tool), whitespace folded. */
function pdftotextWords(pdf: Buffer): string {
  return normalizeText(execFileSync('pdftotext', ['-enc', 'UTF-8', '-l', '200', '-q', '-', '-'], { input: pdf }).toString('utf8'));
}

async function pagesWith(texts: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const t of texts) doc.addPage([595, 842]).drawText(t, { x: 50, y: 780, size: 12, font });
  return Buffer.from(await doc.save());
}

/** CPU milliseconds of the children this process has waited for (the pdftotext runs). */
function childCpuMs(): number {
  const f = fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // cutime + cstime, in ticks of 10 ms
}

/** The resident extractor (issue 25): pdftotext's words without a program start per document. */
describe('the resident text extractor', function () {
  this.timeout(60_000);
  after(() => stopResident());

  it('gives the words pdftotext gives for an official document rendered in Vietnamese (two-column heading)', async () => {
    for (const input of [onePageInput(), directiveInput()]) {
      const { pdf } = await renderOfficialDocument(input);
      const text = await residentText(pdf);
      expect(text, 'the resident extractor answered (python3 and libpoppler-glib are installed)').to.be.a('string');
      expect(normalizeText(text!)).to.equal(pdftotextWords(pdf));
      expect(normalizeText(text!)).to.match(/CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/);
    }
  });

  it('gives the words of every page, in order, and only the first 200 pages', async () => {
    const pdf = await pagesWith(Array.from({ length: 203 }, (_, i) => `Trang so ${i + 1} cua van ban`));
    const text = normalizeText((await residentText(pdf))!);
    expect(text).to.equal(pdftotextWords(pdf));
    expect(text).to.contain('Trang so 200 cua van ban').and.not.contain('Trang so 201');
  });

  it('answers many requests at once, each with its own text, from one process', async () => {
    const pdfs = await Promise.all(Array.from({ length: 16 }, (_, i) => pagesWith([`Van ban thu ${i}`])));
    const pid = residentPid();
    const texts = await Promise.all(pdfs.map((p) => extractPdfText(p)));
    expect(texts).to.deep.equal(pdfs.map((_, i) => `Van ban thu ${i}`));
    expect(residentPid()).to.equal(pid);
  });

  it('keeps one small document open, which poppler reads as written (so its global tables are built once, not per document)', () => {
    // The program up to its request loop, then a look at the kept document and at what pdfinfo
    // says of the same bytes: a kept document poppler could not open (or only by repairing it)
    // would silently bring back the per-document cost.
    const prelude = RESIDENT_EXTRACTOR_PY.slice(0, RESIDENT_EXTRACTOR_PY.indexOf("out.write(b'R')"));
    expect(prelude).to.contain('KEEPER = ');
    const probe = `${prelude}\nsys.stdout.write('%d %s' % (pg.poppler_document_get_n_pages(KEEPER) if KEEPER else -1, KEEPER_PDF.hex()))\n`;
    const [pages, hex] = execFileSync('python3', ['-c', probe, '200', '1000'], { encoding: 'utf8' }).split(' ');
    expect(Number(pages)).to.equal(1);
    const info = execFileSync('pdfinfo', ['-'], { input: Buffer.from(hex!, 'hex'), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    expect(info).to.match(/^Pages:\s+1$/m);
    const errors = execFileSync('sh', ['-c', 'pdfinfo - 2>&1 >/dev/null'], { input: Buffer.from(hex!, 'hex'), encoding: 'utf8' });
    expect(errors, 'poppler reads the kept document without repairing it').to.equal('');
  });

  it('leaves what poppler refuses to pdftotext, whose error stands', async () => {
    expect(await residentText(Buffer.from('not a pdf at all'))).to.equal(null);
    let err: Error | null = null;
    await extractPdfText(Buffer.from('not a pdf at all')).catch((e: Error) => (err = e));
    expect(String(err)).to.match(/pdftotext ended with code/);
    expect(await residentText(await pagesWith(['Sau loi']))).to.equal('Sau loi');
  });

  it('starts again when its process is gone', async () => {
    await residentText(await pagesWith(['Truoc']));
    const old = residentPid()!;
    process.kill(old, 'SIGKILL');
    const pdf = await pagesWith(['Sau']);
    // A request racing the exit gets null (pdftotext answers it); a later one starts a new extractor.
    let text: string | null = null;
    for (let i = 0; i < 20 && text === null; i++) text = await residentText(pdf);
    expect(text).to.equal('Sau');
    expect(residentPid()).to.be.a('number').and.not.equal(old);
    expect(await extractPdfText(pdf)).to.equal('Sau');
  });

  it('costs less CPU per one-page document than starting pdftotext', async () => {
    const pdf = await pagesWith(['Cong van so 12 ve viec hop giao ban']);
    await residentText(pdf);
    const pid = residentPid()!;
    const cpuOf = (p: number) => {
      const s = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime of the extractor
    };
    const n = 100;
    const r0 = cpuOf(pid);
    for (let i = 0; i < n; i++) await residentText(pdf);
    const resident = (cpuOf(pid) - r0) / n;
    const c0 = childCpuMs();
    for (let i = 0; i < n; i++) pdftotextWords(pdf);
    const spawned = (childCpuMs() - c0) / n;
    expect(resident, `resident ${resident.toFixed(2)} ms, pdftotext ${spawned.toFixed(2)} ms per document`).to.be.below(spawned / 2);
  });
});
