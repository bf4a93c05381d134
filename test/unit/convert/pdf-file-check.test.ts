import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { ConvertError } from '../../../services/convert/convert-errors';
import { checkPdfFile } from '../../../services/convert/pdf-file-check';
import { checkPdf } from '../../../services/convert/pdf-source';
import { makePdf } from '../../support/pdf.fixture';
import { brokenObjectPdf, hybridPdf, pageTreeCyclePdf, prevLoopPdf, shiftedXrefPdf, writeBigPdf } from '../signing/pdf-file-fixtures';
import { qpdfObjectStreams, TempDir } from '../signing/signing-fixtures';
import { encryptWithQpdf } from './source-fixtures';

// checkPdfFile must say what checkPdf says (page count, or the same ConvertError code), while
// reading only the tail, the xref and the page tree of the file.

type Outcome = { pages: number } | { code: string };

async function outcome(p: Promise<number>): Promise<Outcome> {
  try {
    return { pages: await p };
  } catch (err) {
    if (err instanceof ConvertError) return { code: err.code };
    throw err;
  }
}

describe('when a PDF in a file is checked for the convert stage', () => {
  const dir = new TempDir();
  after(() => dir.remove());

  // lazy: the answer comes from the lazy reader alone (the whole-file fallback is disabled)
  const cases: [string, (dir: TempDir) => Promise<Buffer>, Outcome, 'lazy' | 'may fall back'][] = [
    ['five pages with object streams (pdf-lib default)', () => makePdf(5), { pages: 5 }, 'lazy'],
    ['five pages with a classic table', async () => Buffer.from(await (await PDFDocument.load(await makePdf(5))).save({ useObjectStreams: false })), { pages: 5 }, 'lazy'],
    ['five pages rewritten by qpdf', async (d) => qpdfObjectStreams(d, await makePdf(5)), { pages: 5 }, 'lazy'],
    ['a hybrid-reference file', async () => hybridPdf(), { pages: 1 }, 'lazy'],
    ['twelve pages, more than the ten allowed', () => makePdf(12), { code: 'TOO_MANY_PAGES' }, 'lazy'],
    ['cut off in the middle', async () => (await makePdf(2)).subarray(0, 700), { code: 'PDF_INVALID' }, 'lazy'],
    ['encrypted by qpdf (AES-256)', async () => encryptWithQpdf(await makePdf(1)), { code: 'PDF_ENCRYPTED' }, 'lazy'],
    ['a page tree with a cycle', async () => pageTreeCyclePdf(), { code: 'PDF_INVALID' }, 'lazy'],
    ['only looking like a PDF', async () => Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'), { code: 'PDF_INVALID' }, 'may fall back'],
    ['an object off the page tree that does not parse', async () => brokenObjectPdf(), { code: 'PDF_INVALID' }, 'may fall back'],
    ['xref offsets that are all off (checked whole instead)', async () => shiftedXrefPdf(), { pages: 1 }, 'may fall back'],
    ['a /Prev loop (checked whole instead)', async () => prevLoopPdf(), { pages: 1 }, 'may fall back'],
  ];

  for (const [label, make, expected, how] of cases) {
    it(`when it is ${label}, then checkPdfFile (${how}) and checkPdf both say ${JSON.stringify(expected)}`, async () => {
      const bytes = await make(dir);
      const path = dir.file(`check-${label.replace(/\W+/g, '-')}.pdf`, bytes);
      const fromFile = await outcome(checkPdfFile(path, { maxPages: 10, ...(how === 'lazy' ? { maxInMemoryFallbackBytes: 0 } : {}) }));
      const inMemory = await outcome(checkPdf(bytes, { maxPages: 10 }));
      expect(fromFile).to.deep.equal(expected);
      expect(inMemory).to.deep.equal(expected);
    });
  }

  it('when a file needs the whole-file fallback but is larger than it allows, then PDF_INVALID', async () => {
    const path = dir.file('fallback-limit.pdf', shiftedXrefPdf());
    expect(await outcome(checkPdfFile(path, { maxPages: 10, maxInMemoryFallbackBytes: 100 }))).to.deep.equal({ code: 'PDF_INVALID' });
  });

  it('when an empty file is checked, then PDF_INVALID', async () => {
    const path = dir.file('empty.pdf');
    writeFileSync(path, '');
    expect(await outcome(checkPdfFile(path, { maxPages: 10 }))).to.deep.equal({ code: 'PDF_INVALID' });
  });

  it('when a PDF of 40 MB is checked, then it has one page and the process hardly grows', async () => {
    const path = dir.file('big.pdf');
    const size = writeBigPdf(path, 42 * 1000 * 1000);
    await checkPdfFile(dir.file('warm.pdf', await makePdf(1)), { maxPages: 10 });
    const before = process.memoryUsage();
    const pages = await checkPdfFile(path, { maxPages: 10, maxInMemoryFallbackBytes: 0 });
    const after = process.memoryUsage();
    expect(pages).to.equal(1);
    expect(after.rss - before.rss, 'rss growth').to.be.lessThan(size / 10);
    expect(after.arrayBuffers - before.arrayBuffers, 'array buffer growth').to.be.lessThan(size / 20);
  });
});
