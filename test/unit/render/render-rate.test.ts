import { expect } from 'chai';
import { renderNaive } from '../../../bench/baselines/naive-renderer';
import { renderOfficialDocument } from '../../../services/render/render-official-document';
import type { RenderInput, RenderedDocument } from '../../../services/render/render-input';
import { onePageInput } from './directive-fixture';
import { flat, pdftotext } from './poppler-tools';

/** Documents per second of CPU time, so a busy machine slows both sides alike. */
async function cpuRate(render: (i: RenderInput) => Promise<RenderedDocument>, input: RenderInput, budgetMs: number): Promise<number> {
  await render(input); // warm up: module loading and the first font parse are not the steady state
  const start = process.cpuUsage();
  let n = 0;
  let used = 0;
  while (used < budgetMs * 1000) {
    await render(input);
    n++;
    const u = process.cpuUsage(start);
    used = u.user + u.system;
  }
  return n / (used / 1e6);
}

describe('when one-page official documents are rendered repeatedly', () => {
  it('then the naive baseline prints the same text, so the comparison is fair', async () => {
    const input = onePageInput();
    const ours = await renderOfficialDocument(input);
    const naive = await renderNaive(input);
    expect(ours.pageCount).to.equal(1);
    expect(flat(pdftotext(naive.pdf))).to.equal(flat(pdftotext(ours.pdf)));
  });

  it('then ours renders at least 4 times as many per CPU second as the naive baseline', async () => {
    const input = onePageInput();
    const naive = await cpuRate(renderNaive, input, 2000);
    const ours = await cpuRate(renderOfficialDocument, input, 1000);
    expect(ours / naive, `ours ${ours.toFixed(1)}/s, naive ${naive.toFixed(1)}/s`).to.be.at.least(4);
  });
});
