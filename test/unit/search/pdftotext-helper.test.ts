import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { extractPdfText } from '../../../services/domain/search/document-text';
import { pdftotext, stopPdftotextHelper } from '../../../services/domain/search/pdftotext-pool';

async function pdfWith(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText(text, { x: 50, y: 780, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save());
}

/**
 * pdftotext is started by a small helper process (issue 25): the same text, errors and recovery.
 * (extractPdfText asks the resident extractor first, pdftotext-resident.test.ts; files, large PDFs
 * and what it cannot answer come here.)
 */
describe('pdftotext through the helper process', function () {
  this.timeout(60_000);
  after(() => stopPdftotextHelper());

  it('gives the text pdftotext itself gives, from bytes and from a file', async () => {
    const pdf = await pdfWith('Cong van so 12 ve viec hop giao ban');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lt-text-')), 'a.pdf');
    fs.writeFileSync(file, pdf);
    const direct = execFileSync('pdftotext', ['-enc', 'UTF-8', '-l', '200', '-q', file, '-']).toString('utf8');
    expect(await pdftotext(pdf)).to.equal(direct);
    expect(await pdftotext(file)).to.equal(direct);
    expect(await extractPdfText(pdf)).to.equal('Cong van so 12 ve viec hop giao ban');
  });

  it('answers many requests at once, each with its own text', async () => {
    const pdfs = await Promise.all(Array.from({ length: 12 }, (_, i) => pdfWith(`Van ban thu ${i}`)));
    const texts = await Promise.all(pdfs.map(async (p) => (await pdftotext(p)).trim()));
    expect(texts).to.deep.equal(pdfs.map((_, i) => `Van ban thu ${i}`));
  });

  it('rejects what pdftotext refuses, and keeps working after', async () => {
    let err: Error | null = null;
    await pdftotext(Buffer.from('not a pdf at all')).catch((e: Error) => (err = e));
    expect(err).to.be.instanceOf(Error);
    expect(String(err!.message)).to.match(/pdftotext ended with code/);
    expect(await extractPdfText(await pdfWith('Sau loi'))).to.equal('Sau loi');
  });

  it('starts a new helper when the old one is gone', async () => {
    expect((await pdftotext(await pdfWith('Truoc'))).trim()).to.equal('Truoc');
    const helpers = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'pdftotext-helper']).toString().trim().split('\n').map(Number);
    expect(helpers).to.have.length(1);
    process.kill(helpers[0]!, 'SIGKILL');
    // A request sent before the parent has seen the exit fails with "helper ended"; a later one
    // starts a new helper and succeeds.
    const pdf = await pdfWith('Sau');
    let text: string | null = null;
    for (let attempt = 0; attempt < 20 && text === null; attempt++) {
      text = await pdftotext(pdf).then((t) => t.trim()).catch((e: Error) => {
        expect(e.message).to.match(/pdftotext helper/);
        return null;
      });
    }
    expect(text).to.equal('Sau');
    const now = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'pdftotext-helper']).toString().trim().split('\n').map(Number);
    expect(now).to.have.length(1);
    expect(now[0]).to.not.equal(helpers[0]);
  });
});
