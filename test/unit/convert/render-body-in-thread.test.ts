import { expect } from 'chai';
import { closeConvertThreads, renderInWorker } from '../../../services/convert/convert-in-worker';
import { ConvertError } from '../../../services/convert/convert-errors';
import { RenderInputError, renderOfficialDocument, type RenderInput } from '../../../services/render/render-official-document';
import { blocksFromText } from '../../../services/web/send/body-text';

// Issue 18: the web's composed documents are rendered by the convert stage like the API's bodies.
// The gateway rendered them in a thread of its own; the convert stage now renders every body in
// its conversion threads, so a long body does not hold the worker's event loop either.

/** The longest gap between 5 ms ticks of this event loop while `work` runs. */
async function longestGap<T>(work: () => Promise<T>): Promise<{ result: T; gapMs: number }> {
  let last = performance.now();
  let gapMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await work();
    return { result, gapMs: Math.max(gapMs, performance.now() - last) };
  } finally {
    clearInterval(tick);
  }
}

const paragraph = 'Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành tiếp tục đẩy mạnh cải cách hành chính; thực hiện nghiêm quy định về gửi, nhận văn bản điện tử. ';
const input = (paragraphs: number, issuedOn = '2026-03-05'): RenderInput => ({
  agency: { name: 'Ủy ban nhân dân tỉnh Đắk Lắk' },
  metadata: {
    documentType: 'CV', number: '07', notation: 'UBND-VP', issuedOn, place: 'Đắk Lắk', subject: 'Thử trình bày trong luồng',
    signer: { position: 'CHỦ TỊCH', fullName: 'Lữ Ngọc Cư' }, urgency: 'normal', classification: 'normal', recipients: ['X'],
  },
  body: { blocks: blocksFromText(Array.from({ length: paragraphs }, (_, i) => `${paragraph.repeat(3)}(${i + 1})`).join('\n')), copies: 'Lưu: VT.' },
});

describe('the convert stage renders a structured body in a conversion thread', function () {
  this.timeout(240_000);
  after(() => closeConvertThreads());

  it('a long body: the same PDF as on the event loop, which is held for a long time there and not while the thread renders', async () => {
    const long = input(120);
    const direct = await longestGap(() => renderOfficialDocument(long));
    await renderInWorker(input(1)); // the thread loads its libraries once
    const threaded = await longestGap(() => renderInWorker(long));
    process.stdout.write(`      ${direct.result.pageCount} pages; longest event-loop gap: on the loop ${direct.gapMs.toFixed(0)} ms, in the thread ${threaded.gapMs.toFixed(0)} ms\n`);
    expect(threaded.result.pageCount).to.equal(direct.result.pageCount).and.to.be.above(10);
    expect(threaded.result.pdf.equals(direct.result.pdf), 'the renderer is deterministic: the same bytes').to.equal(true);
    expect(threaded.gapMs).to.be.below(direct.gapMs / 3);
  });

  it('a body the renderer refuses (an impossible date) comes back as RenderInputError, which the stage fails permanently', async () => {
    const err = await renderInWorker(input(1, '2026-02-30')).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(RenderInputError);
    expect((err as Error).message).to.match(/2026-02-30|ngày|date/i);
  });

  it('past its wall time the thread is stopped: CONVERT_TIMEOUT, and the caller goes on', async () => {
    const err = await renderInWorker(input(120), { timeoutMs: 20 }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(ConvertError);
    expect((err as ConvertError).code).to.equal('CONVERT_TIMEOUT');
  });
});
