import { expect } from 'chai';
import { ConvertError } from '../../../services/convert/convert-errors';
import { closeConvertThreads, convertInWorker } from '../../../services/convert/convert-in-worker';
import { flat, pdftotext } from '../render/poppler-tools';
import { zeroBombDocx } from './source-fixtures';

async function rejection(promise: Promise<unknown>): Promise<ConvertError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ConvertError) return e;
    throw e;
  }
  return expect.fail('the conversion should have failed');
}

const bigText = Buffer.from(Array.from({ length: 9000 }, (_, i) => `Dòng ${i + 1}: nội dung dài để dàn trang nhiều lần.`).join('\n'));

describe('when sources are converted in a conversion thread', () => {
  after(() => closeConvertThreads());

  it('when a conversion runs past its timeout, then CONVERT_TIMEOUT, and the next conversion still succeeds', async () => {
    const timedOut = await rejection(convertInWorker(bigText, { timeoutMs: 1 }));
    expect(timedOut.code).to.equal('CONVERT_TIMEOUT');
    const next = await convertInWorker(Buffer.from('Văn bản tiếp theo vẫn được chuyển đổi.'), { timeoutMs: 60_000 });
    expect(next.sourceType).to.equal('text');
    expect(flat(pdftotext(next.pdf)).trim()).to.equal('Văn bản tiếp theo vẫn được chuyển đổi.');
  });

  it('when the source fails inside the thread, then its own error code comes back', async () => {
    const error = await rejection(convertInWorker(zeroBombDocx(40)));
    expect(error.code).to.equal('DOCX_ZIP_BOMB');
  });

  it('when a conversion needs more memory than its thread may use, then CONVERT_OUT_OF_MEMORY', async () => {
    const error = await rejection(convertInWorker(bigText, { maxMemoryMb: 4, maxPages: 10_000, timeoutMs: 60_000 }));
    expect(error.code, error.message).to.equal('CONVERT_OUT_OF_MEMORY');
  });

  it('when several conversions run at once, then each gets its own answer', async () => {
    const texts = ['Một', 'Hai', 'Ba', 'Bốn'].map((w) => `Văn bản số ${w}.`);
    const results = await Promise.all(texts.map((t) => convertInWorker(Buffer.from(t))));
    expect(results.map((r) => flat(pdftotext(r.pdf)).trim())).to.deep.equal(texts);
  });
});
