import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { renderOfficialDocument } from '../../../services/render/render-official-document';
import { blocksFromText } from '../../../services/web/send/body-text';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { spawnGateway, type GatewayProcess } from '../../support/gateway-process';
import { testEnv } from '../../support/test-env';
import { createWebUser, WebClient } from '../web/web-client';

/** A body of `paragraphs` long paragraphs (about one page per six). */
function longBody(paragraphs: number): string {
  const p = 'Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành tiếp tục đẩy mạnh cải cách hành chính, nâng cao hiệu lực, hiệu quả quản lý của bộ máy nhà nước; thực hiện nghiêm quy định về gửi, nhận văn bản điện tử. ';
  return Array.from({ length: paragraphs }, (_, i) => `${p.repeat(3)}(${i + 1})`).join('\n');
}

describe('web preview: rendered off the event loop, with a page budget (issue 17)', function () {
  this.timeout(240_000);
  let db: Db;
  let gw: GatewayProcess;
  let web: WebClient;
  let a: TestAgency;
  let b: TestAgency;

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
    [a, b] = (await createAgencies(db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
    const clerk = await createWebUser(db, a.code, 'clerk');
    gw = await spawnGateway();
    web = new WebClient(gw.baseUrl);
    expect((await web.signIn(clerk.username, clerk.password)).status).to.equal(303);
  });
  after(async () => {
    await gw?.stop();
    await db.end();
  });

  const preview = (bodyText: string) =>
    web.post(
      '/send/preview',
      {
        documentType: 'CV', notation: 'UBND-VP', issuedOn: '2026-03-05', place: 'Đắk Lắk', subject: 'Xem trước',
        signerPosition: 'CHỦ TỊCH', signerName: 'Lữ Ngọc Cư', recipients: b.code, source: 'compose', bodyText, copies: 'Lưu: VT.',
      },
      { fromPage: '/send' },
    );

  /** Largest wait of /health/live, polled back to back while `work` runs. */
  async function worstLatencyDuring<T>(work: Promise<T>): Promise<{ result: T; worstMs: number }> {
    let done = false;
    let worstMs = 0;
    const poll = (async () => {
      while (!done) {
        const t = performance.now();
        await fetch(`${gw.baseUrl}/health/live`).then((r) => r.arrayBuffer());
        worstMs = Math.max(worstMs, performance.now() - t);
      }
    })();
    const result = await work;
    done = true;
    await poll;
    return { result, worstMs };
  }

  it('when a long body is previewed, then the gateway keeps answering other requests meanwhile, and the PDF comes back', async () => {
    // What the same render costs when it runs on an event loop (this process's), as the yardstick.
    const started = performance.now();
    const onLoop = await renderOfficialDocument({
      agency: { name: a.name },
      metadata: { documentType: 'CV', number: '01', notation: 'UBND-VP', issuedOn: '2026-03-05', place: 'Đắk Lắk', subject: 'Xem trước', signer: { position: 'CHỦ TỊCH', fullName: 'Lữ Ngọc Cư' }, urgency: 'normal', classification: 'normal', recipients: [b.code] },
      body: { blocks: blocksFromText(longBody(180)), copies: 'Lưu: VT.' },
    });
    const renderMs = performance.now() - started;
    const { result, worstMs } = await worstLatencyDuring(preview(longBody(180)));
    expect(result.status, result.text.slice(0, 300)).to.equal(200);
    expect(result.headers.get('content-type')).to.equal('application/pdf');
    process.stdout.write(`      ${onLoop.pageCount} pages: render ${Math.round(renderMs)} ms; /health/live worst latency during the preview ${Math.round(worstMs)} ms\n`);
    expect(worstMs).to.be.below(Math.max(renderMs * 0.6, 150));
  });

  it('when the body would run past the preview budget (118 pages), then 400 with the limit and no PDF', async () => {
    const inThread = await preview(longBody(300));
    expect(inThread.status).to.equal(400);
    expect(inThread.text).to.match(/Văn bản vượt giới hạn để xem trước \(\d+ trang, tối đa 40\)/);
    const huge = await preview(longBody(420));
    expect(huge.status).to.equal(400);
    expect(huge.text).to.contain('Văn bản quá dài để xem trước');
  });
});
