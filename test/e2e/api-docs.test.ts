import { expect } from 'chai';
import { waitFor } from '../support/wait';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../services/config/config';
import { createSandbox, type SandboxAgency } from '../../services/domain/agencies/sandbox';
import { startGateway, type RunningGateway } from '../support/http.fixture';
import { DESKTOP, launchChromium, screenshot } from './browser.fixture';

describe('API reference at /v1/docs in a real browser: find submit, read its schema and example, try it against a sandbox', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let browser: Browser;
  let sandbox: SandboxAgency[];

  before(async () => {
    gw = await startGateway();
    const config = loadConfig();
    sandbox = await createSandbox(gw.db, config.masterKey, true);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('when a vendor opens /v1/docs, authorizes with its sandbox key and executes "Gửi văn bản" with the example, then the page shows 202 and the document exists, sent by the sandbox agency', async () => {
    const page = await browser.newPage({ viewport: DESKTOP });
    const origin = new URL(gw.baseUrl).origin;
    const foreign: string[] = [];
    await page.route('**/*', (route) => {
      if (new URL(route.request().url()).origin !== origin) {
        foreign.push(route.request().url());
        return route.abort();
      }
      return route.continue();
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${gw.baseUrl}/v1/docs`);
    const submit = page.locator('.opblock-post').filter({ has: page.locator('[data-path="/v1/documents"]') });
    await submit.locator('.opblock-summary').first().waitFor({ timeout: 30_000 });
    await expect(await submit.locator('.opblock-summary-description').first().textContent()).to.match(/^Gửi văn bản/);
    await submit.locator('.opblock-summary-control').first().click();
    // The description with its examples, the request schema and the error codes.
    await submit.getByText('TypeScript (clients/typescript)').waitFor();
    expect(await submit.locator('.opblock-description-wrapper').first().textContent()).to.include('curl').and.include('lt.submit(');
    expect(await submit.locator('.responses-wrapper').first().textContent()).to.include('UNKNOWN_RECIPIENT').and.include('202');
    await submit.getByRole('tab', { name: 'Schema' }).first().click();
    const schema = submit.locator('.opblock-section-request-body [data-name="modelPanel"]').first();
    await schema.waitFor();
    await schema.getByRole('button', { name: 'Expand all' }).first().click();
    // The expansion renders after the click: wait for it rather than read the panel at once.
    const expanded = await waitFor('the request schema expanded', async () => {
      const text = (await schema.textContent()) ?? '';
      return text.includes('metadata') && text.includes('recipients') ? text : undefined;
    }, { timeoutMs: 30_000, recheckMs: 100 });
    expect(expanded).to.include('metadata').and.include('recipients');
    await submit.getByRole('tab', { name: 'Example Value' }).first().click();
    expect(await submit.locator('.opblock-section-request-body').first().textContent()).to.include('SANDBOX.XXXXXX.B');

    // Authorize with the sandbox sender's key.
    await page.locator('.auth-wrapper .authorize').first().click();
    await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(sandbox[0]!.apiKey);
    await page.locator('.modal-ux button.modal-btn.authorize').first().click();
    await page.locator('.modal-ux button.btn-done').first().click();

    await submit.getByRole('button', { name: 'Try it out' }).click();
    const editor = submit.locator('textarea.body-param__text');
    const example = await editor.inputValue();
    expect(example).to.include('SANDBOX.XXXXXX.B');
    await editor.fill(example.replace('SANDBOX.XXXXXX.B', sandbox[1]!.code));
    await submit.getByRole('button', { name: 'Execute' }).click();
    const status = submit.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor({ timeout: 30_000 });
    await screenshot(page, 'api-docs-try-it');
    expect((await status.textContent())?.trim(), await submit.locator('.live-responses-table').textContent() ?? '').to.equal('202');
    const id = /"id":\s*"([0-9a-f-]{36})"/.exec((await submit.locator('.live-responses-table tbody').first().textContent()) ?? '')?.[1];
    const row = await gw.db.query(`SELECT sender_code FROM documents WHERE id = $1`, [id]);
    expect(row.rows[0]?.sender_code).to.equal(sandbox[0]!.code);
    // The curl of the request just made is offered too.
    expect(await submit.locator('.request-snippets, .curl-command').first().textContent()).to.include('curl');
    expect(foreign, 'requests to other origins').to.deep.equal([]);
    expect(pageErrors).to.deep.equal([]);
  });
});
