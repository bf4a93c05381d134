import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAgencies, type TestAgency } from '../support/agencies.fixture';
import { signAsAgency } from '../support/agency-signer';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../support/http.fixture';
import { makePdf, metadataFor } from '../support/pdf.fixture';
import { waitFor } from '../support/wait';
import { spawnWorker, type WorkerProcess } from '../support/worker.fixture';
import { createWebUser } from '../integration/web/web-client';
import { DESKTOP, launchChromium, screenshot, signInAs } from './browser.fixture';

/**
 * Issue 15 item 10 in the browser: the recipient's document page lists the signatures the PDF
 * arrived with, one Vietnamese line each, the details on demand — for a valid signature (its
 * certificate's OCSP responder, this gateway, answers "good") and for an indeterminate one (a
 * signer whose CRL and OCSP nobody answers).
 */
describe('web: one line per arriving signature on the document page', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let browser: Browser;
  let recipient: TestAgency;
  let answered: TestAgency;
  let unanswered: TestAgency;
  let page: Page;
  const contexts: BrowserContext[] = [];

  before(async () => {
    gw = await startGateway();
    [answered, recipient] = (await createAgencies(gw.db, 2, { revocationBaseUrl: gw.baseUrl })) as [TestAgency, TestAgency];
    [unanswered] = (await createAgencies(gw.db, 1, { revocationBaseUrl: 'http://127.0.0.1:9' })) as [TestAgency];
    worker = spawnWorker();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN' });
    contexts.push(context);
    page = await context.newPage();
    await signInAs(page, gw.baseUrl, await createWebUser(gw.db, recipient.code, 'clerk'));
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await worker?.stop();
    await gw?.close();
  });

  /** Sends a PDF the sender signed itself to the recipient; returns the recipient's dispatch once delivered. */
  async function deliverSigned(from: TestAgency, notation: string): Promise<string> {
    const signed = await signAsAgency(gw.db, from.code, await makePdf(1));
    const posted = await postDocument(gw.baseUrl, from.apiKey, documentForm(metadataFor([recipient.code], { notation }), signed));
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    return waitFor(`${notation} delivered`, async () => {
      const r = await gw.db.query<{ id: string }>(`SELECT id FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [posted.body.id]);
      return r.rows[0]?.id;
    });
  }

  it('a valid signature: one line "Hợp lệ — Chữ ký 1 của … hợp lệ", the path and revocation behind "Chi tiết"', async () => {
    const dispatchId = await deliverSigned(answered, 'KY-HL');
    await page.goto(`${gw.baseUrl}/inbox/${dispatchId}`);
    const lines = page.locator('.signature-line');
    expect(await lines.count()).to.equal(1);
    const line = lines.first();
    expect(await line.getAttribute('data-indication')).to.equal('passed');
    const text = (await line.locator('xpath=./strong').textContent()) ?? '';
    expect(text).to.equal('Hợp lệ');
    expect(await line.textContent()).to.contain(`Chữ ký 1 của ${answered.name} hợp lệ`);
    // details on demand: closed until asked for
    const details = line.locator('details dl');
    expect(await details.isVisible()).to.equal(false);
    await line.getByText('Chi tiết').click();
    expect(await details.isVisible()).to.equal(true);
    const shown = (await details.textContent()) ?? '';
    expect(shown).to.contain('Chuỗi chứng thư').and.to.contain('toàn bộ tệp').and.to.contain('good');
    await screenshot(page, 'signature-line-passed');
  });

  it('an indeterminate signature: one line "Chưa xác định" saying there is no revocation information', async () => {
    const dispatchId = await deliverSigned(unanswered, 'KY-CXD');
    await page.goto(`${gw.baseUrl}/inbox/${dispatchId}`);
    const lines = page.locator('.signature-line');
    expect(await lines.count()).to.equal(1);
    const line = lines.first();
    expect(await line.getAttribute('data-indication')).to.equal('indeterminate');
    expect(await line.getAttribute('data-reason')).to.equal('NO_REVOCATION_INFO');
    expect(await line.locator('xpath=./strong').textContent()).to.equal('Chưa xác định');
    expect(await line.textContent()).to.contain('không có thông tin thu hồi');
    await line.getByText('Chi tiết').click();
    expect(await line.locator('details dl').textContent()).to.contain('unknown');
    await screenshot(page, 'signature-line-indeterminate');
  });
});
