import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { dispatchCommand } from '../../../services/cli/commands/dispatch.command';
import { loadConfig } from '../../../services/config/config';
import { createHub, type HubInstance } from '../../support/hub-instance';
import { documentForm, getJson, postDocument } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { uniqueTag } from '../../support/test-env';
import { waitFor } from '../../support/wait';

/**
 * Issue 22 item 5 with the delivery rules of issue 16: a relay to a peer that stays down is
 * alerted after the alert time (a notice to the sending agency), fails when its budget is spent
 * (ledger dispatch_failed, the failed list), and the operator's `dispatch retry` delivers it once
 * the peer is back. Short budget and alert times so it runs in a minute.
 */
describe('federation: a relay to a peer that stays down follows the delivery rules (alert, budget, operator retry)', function () {
  this.timeout(600_000);
  let a: HubInstance;
  let b: HubInstance;
  const secretVar = `PEER_SECRET_BUDGET_${uniqueTag(4)}`;
  const poll = <T>(what: string, check: () => Promise<T | undefined | false>) => waitFor(what, check, { timeoutMs: 180_000, recheckMs: 500 });

  before(async () => {
    process.env[secretVar] = randomBytes(32).toString('hex');
    a = await createHub({
      hubId: `HUBA${uniqueTag(3)}`,
      agencies: 1,
      env: { LIENTHONG_RETRY_BASE_MS: '500', LIENTHONG_RETRY_MAX_MS: '2000', LIENTHONG_DELIVERY_ALERT_MS: '3000', LIENTHONG_DELIVERY_BUDGET_MS: '12000' },
    });
    b = await createHub({ hubId: `HUBB${uniqueTag(3)}`, agencies: 1 });
    const tagOf = (h: HubInstance) => h.agencies[0]!.code.split('.')[0]!;
    await a.peer(['add', '--id', b.hubId, '--url', b.baseUrl, '--secret-env', secretVar, '--codes', `${tagOf(b)}.*`, '--allow-private-endpoint']);
    await b.peer(['add', '--id', a.hubId, '--url', a.baseUrl, '--secret-env', secretVar, '--codes', `${tagOf(a)}.*`, '--allow-private-endpoint']);
    await a.start(); // B stays down
  });

  after(async () => {
    delete process.env[secretVar];
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it('alerts, fails after the budget, and is delivered once by the operator retry after the peer returns', async () => {
    const subject = `Liên thông: hết thời hạn thử ${uniqueTag(4)}`;
    const res = await postDocument(a.baseUrl, a.agencies[0]!.apiKey, documentForm(metadataFor([b.agencies[0]!.code], { subject }), await makePdf(1, 'relay budget test')));
    expect(res.status).to.equal(202);
    const id = res.body.id as string;
    const notice = await poll('the long-failing notice to the sending agency', async () => {
      const r = await a.db.query(`SELECT message FROM agency_notices WHERE document_id = $1 AND kind = 'delivery_failing'`, [id]);
      return r.rows[0];
    });
    expect(notice.message).to.include(b.agencies[0]!.code);
    const failed = await poll('the relay failed after its budget', async () => {
      const d = (await getJson(a.baseUrl, `/v1/documents/${id}`, a.agencies[0]!.apiKey)).body.dispatches[0];
      return d?.status === 'failed' ? d : undefined;
    });
    expect(failed.channel).to.equal('relay');
    expect(failed.lastError).to.match(/ECONNREFUSED|kết nối/);
    const ledgerFailed = await a.db.query(`SELECT count(*)::int AS n FROM ledger WHERE document_id = $1 AND kind = 'dispatch_failed'`, [id]);
    expect(ledgerFailed.rows[0].n).to.equal(1);
    await b.start();
    await dispatchCommand(['retry', failed.id], { db: a.db, config: loadConfig({ ...process.env, ...a.env }), json: true, out: () => undefined });
    await poll('delivered after the operator retry', async () => (await getJson(a.baseUrl, `/v1/documents/${id}`, a.agencies[0]!.apiKey)).body.dispatches[0]?.status === 'delivered');
    const onB = await b.db.query(`SELECT count(*)::int AS n FROM documents WHERE subject = $1`, [subject]);
    expect(onB.rows[0].n).to.equal(1);
    const delivered = await a.db.query(`SELECT count(*)::int AS n FROM ledger WHERE document_id = $1 AND kind = 'dispatch_delivered'`, [id]);
    expect(delivered.rows[0].n).to.equal(1);
  });
});
