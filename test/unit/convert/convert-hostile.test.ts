import { expect } from 'chai';
import { ConvertError, type ConvertErrorCode } from '../../../services/convert/convert-errors';
import { type ConvertOptions, convertSource } from '../../../services/convert/convert-source';
import { makePdf } from '../../support/pdf.fixture';
import { encryptWithQpdf, lyingSizeDocx, manyMembersDocx, pngHeaderOnly, solidPng, zeroBombDocx } from './source-fixtures';

/** Converts and returns the ConvertError it must fail with. */
async function failure(bytes: Buffer, opts: ConvertOptions = {}): Promise<ConvertError> {
  try {
    await convertSource(bytes, opts);
  } catch (e) {
    if (e instanceof ConvertError) return e;
    throw e;
  }
  return expect.fail('the conversion should have failed');
}

async function expectCode(bytes: Buffer, code: ConvertErrorCode, opts: ConvertOptions = {}): Promise<ConvertError> {
  const error = await failure(bytes, opts);
  expect(error.code, error.message).to.equal(code);
  expect(error.message).to.match(/^[a-z].{10,}/); // a sentence, not a stack trace
  return error;
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `Dòng số ${i + 1} của văn bản.`).join('\n');

describe('when broken or hostile sources are converted', () => {
  it('when a PDF is cut off, then PDF_INVALID', async () => {
    const pdf = await makePdf(2);
    await expectCode(pdf.subarray(0, Math.floor(pdf.length / 2)), 'PDF_INVALID');
  });

  it('when a PDF only looks like one, then PDF_INVALID', async () => {
    await expectCode(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'), 'PDF_INVALID');
  });

  it('when a PDF is encrypted (qpdf, AES-256), then PDF_ENCRYPTED', async () => {
    await expectCode(encryptWithQpdf(await makePdf(1)), 'PDF_ENCRYPTED', {});
  });

  it('when a PDF has more pages than allowed, then TOO_MANY_PAGES', async () => {
    const error = await expectCode(await makePdf(3), 'TOO_MANY_PAGES', { maxPages: 2 });
    expect(error.message).to.include('3 pages');
  });

  it('when a .docx holds a member that inflates a thousandfold, then DOCX_ZIP_BOMB before anything is inflated', async () => {
    const bomb = zeroBombDocx(40);
    expect(bomb.length).to.be.below(200_000);
    await expectCode(bomb, 'DOCX_ZIP_BOMB');
  });

  it('when a .docx claims gigabytes in its directory, or holds thousands of parts, then DOCX_ZIP_BOMB', async () => {
    await expectCode(lyingSizeDocx(), 'DOCX_ZIP_BOMB');
    await expectCode(manyMembersDocx(1500), 'DOCX_ZIP_BOMB');
  });

  it('when a .docx is a damaged archive, then DOCX_INVALID', async () => {
    const zip = manyMembersDocx(3);
    await expectCode(zip.subarray(0, zip.length - 30), 'DOCX_INVALID');
  });

  it('when a text has 20,000 lines, then TEXT_TOO_LONG', async () => {
    const error = await expectCode(Buffer.from(lines(20_000)), 'TEXT_TOO_LONG');
    expect(error.message).to.include('20000 lines');
  });

  it('when a text would print on more pages than allowed, then TOO_MANY_PAGES', async () => {
    await expectCode(Buffer.from(lines(300)), 'TOO_MANY_PAGES', { maxPages: 3 });
  });

  it('when a PNG claims 10000×10000 pixels, then IMAGE_TOO_LARGE at once, without decoding or allocating', async () => {
    const header = pngHeaderOnly(10_000, 10_000);
    const before = process.memoryUsage();
    const started = process.hrtime.bigint();
    const error = await expectCode(header, 'IMAGE_TOO_LARGE');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const grown = process.memoryUsage().arrayBuffers - before.arrayBuffers;
    expect(ms).to.be.below(100);
    expect(grown).to.be.below(20 * 1024 * 1024); // the pixels alone would be 400 MB
    expect(error.message).to.include('10000×10000');
  });

  it('when an image is larger than a lowered pixel budget, or is cut off, then IMAGE_TOO_LARGE or IMAGE_INVALID', async () => {
    await expectCode(solidPng(200, 200, [0, 0, 0]), 'IMAGE_TOO_LARGE', { maxImagePixels: 10_000 });
    const png = solidPng(64, 64, [0, 0, 0]);
    await expectCode(png.subarray(0, 40), 'IMAGE_INVALID');
  });

  it('when the text is not UTF-8, the file is a legacy .doc or an empty one, then it says which', async () => {
    await expectCode(Buffer.from('Ch\xe0o c\xe1c b\xe1n', 'latin1'), 'TEXT_NOT_UTF8');
    await expectCode(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'UNSUPPORTED_TYPE');
    await expectCode(Buffer.alloc(0), 'UNSUPPORTED_TYPE');
    await expectCode(Buffer.from([1, 2, 0, 4, 5]), 'UNSUPPORTED_TYPE');
  });

  it('when the source is larger than maxBytes, then SOURCE_TOO_LARGE', async () => {
    await expectCode(Buffer.from(lines(100)), 'SOURCE_TOO_LARGE', { maxBytes: 1000 });
  });

  it('when an in-thread conversion runs past its time budget, then CONVERT_TIMEOUT', async () => {
    await expectCode(Buffer.from(lines(5000)), 'CONVERT_TIMEOUT', { timeoutMs: 1 });
  });
});
