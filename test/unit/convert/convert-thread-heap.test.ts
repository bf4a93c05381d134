import { expect } from 'chai';
import {
  closeConvertThreads,
  configureConvertThreads,
  convertInWorker,
  convertThreadsRetired,
  convertThreadsSpawned,
  KEEP_WARM_BELOW_HEAP_MB,
  renderInWorker,
  warmConvertThreadHeaps,
} from '../../../services/convert/convert-in-worker';
import type { RenderInput } from '../../../services/render/render-official-document';
import { makePdf } from '../../support/pdf.fixture';
import { flat, pdfinfo, pdftotext } from '../render/poppler-tools';

// Issue 25.4 (the soak): a warm conversion thread keeps the V8 heap it grew, so the workers'
// memory climbed in steps as each thread's young generation doubled up to its cap. The pool caps
// the young generation and replaces a thread whose heap grew past KEEP_WARM_BELOW_HEAP_MB.

const MB = 1024 * 1024;
/**
 * Where a thread of the mix settles with the capped young generation: ~42–45 MB measured. With
 * the former 64 MB cap the same 75 conversions a thread left 58 MB, and ~90 MB some minutes on.
 */
const SETTLED_MB = 50;
const paragraph = 'Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành tiếp tục đẩy mạnh cải cách hành chính. ';
const body = (n: number): RenderInput => ({
  agency: { name: 'Ủy ban nhân dân tỉnh Đắk Lắk' },
  metadata: {
    documentType: 'CV', number: String(n), notation: 'UBND-VP', issuedOn: '2026-03-05', place: 'Đắk Lắk', subject: `Thử bộ nhớ luồng chuyển đổi ${n}`,
    signer: { position: 'CHỦ TỊCH', fullName: 'Lữ Ngọc Cư' }, urgency: 'normal', classification: 'normal', recipients: ['X'],
  },
  body: { blocks: [{ type: 'paragraph', text: `${paragraph.repeat(4)}(số ${n})` }, { type: 'paragraph', text: paragraph.repeat(6) }], copies: 'Lưu: VT.' },
});
/** About 180 pages of text: the kind of conversion that grows a thread's old generation. */
const hugeText = Buffer.from(Array.from({ length: 9000 }, (_, i) => `Dòng ${i + 1}: nội dung dài để dàn trang nhiều lần.`).join('\n'));

describe('the conversion threads keep a bounded heap', function () {
  this.timeout(300_000);
  let onePage: Buffer;
  let twentyPages: Buffer;
  before(async () => {
    [onePage, twentyPages] = await Promise.all([makePdf(1), makePdf(20)]);
  });
  afterEach(() => closeConvertThreads());
  after(() => configureConvertThreads(4));

  it("when the mix's documents go through four warm threads 300 times, then every thread's heap settles under 50 MB and none is replaced", async () => {
    await closeConvertThreads();
    configureConvertThreads(4, { prewarm: true });
    const [spawnedBefore, retiredBefore] = [convertThreadsSpawned(), convertThreadsRetired()];
    let n = 0;
    for (let round = 0; round < 25; round++) {
      const [pdf1, bodies, pdf20] = [
        await Promise.all([0, 1, 2, 3].map(() => convertInWorker(onePage, { declaredType: 'application/pdf' }))),
        await Promise.all([0, 1, 2, 3].map(() => renderInWorker(body(++n)))),
        await Promise.all([0, 1, 2, 3].map(() => convertInWorker(twentyPages, { declaredType: 'application/pdf' }))),
      ];
      expect(pdf1.map((r) => [r.sourceType, r.pageCount])).to.deep.equal(Array(4).fill(['pdf', 1]));
      expect(pdf20.map((r) => [r.sourceType, r.pageCount])).to.deep.equal(Array(4).fill(['pdf', 20]));
      if (round % 8 === 0) expect(flat(pdftotext(bodies[3]!.pdf))).to.contain(`(số ${n})`);
    }
    const heaps = warmConvertThreadHeaps();
    process.stdout.write(`      warm threads' heaps after 300 conversions: ${heaps.map((h) => (h / MB).toFixed(1)).join(', ')} MB\n`);
    expect(heaps).to.have.length(4);
    for (const h of heaps) expect(h).to.be.above(0).and.to.be.at.most(SETTLED_MB * MB);
    expect(convertThreadsRetired() - retiredBefore, 'threads replaced').to.equal(0);
    expect(convertThreadsSpawned() - spawnedBefore, 'threads started after the prewarm').to.equal(0);
  });

  it('when a huge document grows its thread past the bound, then that thread is replaced by a fresh one and the next conversions still come out right', async () => {
    await closeConvertThreads();
    configureConvertThreads(2, { prewarm: true });
    const [spawnedBefore, retiredBefore] = [convertThreadsSpawned(), convertThreadsRetired()];
    const huge = await convertInWorker(hugeText, { maxPages: 10_000, timeoutMs: 240_000 });
    const pages = pdfinfo(huge.pdf).pages;
    expect(pages, 'pages as pdfinfo counts them').to.equal(huge.pageCount).and.to.be.above(100);
    expect(flat(pdftotext(huge.pdf, ['-f', String(pages), '-l', String(pages)]))).to.contain('Dòng 9000:');
    expect(convertThreadsRetired() - retiredBefore, 'the grown thread was replaced').to.equal(1);
    expect(convertThreadsSpawned() - spawnedBefore, 'one fresh thread, no more').to.equal(1);
    expect(warmConvertThreadHeaps()).to.have.length(2);

    const texts = ['Một', 'Hai', 'Ba', 'Bốn'].map((w) => `Văn bản số ${w} sau văn bản rất dài.`);
    for (let wave = 0; wave < 2; wave++) {
      const results = await Promise.all(texts.map((t) => convertInWorker(Buffer.from(t))));
      expect(results.map((r) => flat(pdftotext(r.pdf)).trim())).to.deep.equal(texts);
    }
    for (const h of warmConvertThreadHeaps()) expect(h).to.be.above(0).and.to.be.at.most(KEEP_WARM_BELOW_HEAP_MB * MB);
  });
});
