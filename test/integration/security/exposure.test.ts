import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { createApiKey } from '../../../services/domain/apikeys/api-key.repository';
import { openSecret } from '../../../services/pki/key-envelope';
import { freePort } from '../../../infra/embedded/free-port';
import { allDelivered } from '../../support/delivery-audit';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { spawnGateway } from '../../support/gateway-process';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { testEnv, uniqueTag } from '../../support/test-env';
import { waitFor } from '../../support/wait';
import { spawnWorker } from '../../support/worker.fixture';
import { createWebUser, WebClient } from '../web/web-client';

/** Runs the operator CLI as its own process, `stdin` written to it. */
function cli(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'services', 'cli', 'main.js'), ...args], {
    env: { ...process.env, DATABASE_URL: testEnv().databaseUrl, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b) => (out += b.toString()));
  child.stderr.on('data', (b) => (out += b.toString()));
  child.stdin.end(opts.stdin ?? '');
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code: code ?? -1, out })));
}

describe('exposure: metrics, timelines, client certificates, push secrets, audit log (issue 17)', function () {
  this.timeout(180_000);
  let gw: RunningGateway;

  before(async () => {
    gw = await startGateway({ LIENTHONG_TRUSTED_PROXIES: '127.0.0.1,::1' });
  });
  after(async () => gw.close());

  describe('/metrics', () => {
    it('when a metrics token is configured, then /metrics on the API port answers only with it', async () => {
      const g = await startGateway({ LIENTHONG_METRICS_TOKEN: 'prometheus-token-0123456789' });
      try {
        expect((await fetch(`${g.baseUrl}/metrics`)).status).to.equal(401);
        expect((await fetch(`${g.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).to.equal(401);
        const ok = await fetch(`${g.baseUrl}/metrics`, { headers: { authorization: 'Bearer prometheus-token-0123456789' } });
        expect(ok.status).to.equal(200);
        expect(await ok.text()).to.contain('lienthong_documents_total');
      } finally {
        await g.close();
      }
    });

    it('when neither a token nor a port is configured outside dev mode, then the API port does not serve /metrics', async () => {
      const g = await startGateway({ LIENTHONG_DEV_MODE: '0' });
      try {
        expect((await fetch(`${g.baseUrl}/metrics`)).status).to.equal(404);
      } finally {
        await g.close();
      }
    });

    it('when a metrics port is configured, then /metrics is served there and not on the API port', async () => {
      const port = await freePort();
      const p = await spawnGateway({ LIENTHONG_METRICS_PORT: String(port) });
      try {
        expect((await fetch(`${p.baseUrl}/metrics`)).status).to.equal(404);
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        expect(res.status).to.equal(200);
        expect(await res.text()).to.contain('lienthong_documents_total');
      } finally {
        await p.stop();
      }
    });
  });

  describe('timelines', () => {
    it('when the recipient posts statuses with its key and a clerk, then the sender sees the recipient only as agency and role', async () => {
      const [s, r] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
      const worker = spawnWorker();
      let doc: string;
      try {
        doc = (await postDocument(gw.baseUrl, s.apiKey, documentForm(metadataFor([r.code]), await makePdf(1)))).body.id;
        await waitFor('delivered', () => allDelivered(gw.db, [doc], 1), { timeoutMs: 90_000 });
      } finally {
        await worker.stop();
      }
      const dispatch = (await allDelivered(gw.db, [doc], 1))![0]!.id;
      const posted = await fetch(`${gw.baseUrl}/v1/inbox/${dispatch}/status`, {
        method: 'POST',
        headers: { authorization: `Bearer ${r.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code: '02' }),
      });
      expect(posted.status).to.equal(200);
      const clerk = await createWebUser(gw.db, r.code, 'clerk');
      await gw.db.query(`INSERT INTO dispatch_events (dispatch_id, code, actor) VALUES ($1, '03', $2)`, [dispatch, `user:${clerk.username}`]);
      const key = (await gw.db.query(`SELECT actor FROM dispatch_events WHERE dispatch_id = $1 AND code = '02'`, [dispatch])).rows[0].actor as string;
      expect(key).to.match(/^apikey:/);

      const asSender = await getJson(gw.baseUrl, `/v1/documents/${doc}`, s.apiKey);
      const text = JSON.stringify(asSender.body.dispatches);
      expect(text).to.not.contain(key.slice('apikey:'.length)).and.not.contain(clerk.username);
      const actors = (asSender.body.dispatches[0].events as { code: string; actor: string }[]).map((e) => `${e.code}:${e.actor}`);
      expect(actors).to.include(`02:${r.code} (system)`).and.include(`03:${r.code} (clerk)`);

      const asRecipient = await getJson(gw.baseUrl, `/v1/documents/${doc}`, r.apiKey);
      expect(JSON.stringify(asRecipient.body.dispatches), 'an agency sees its own people by name').to.contain(clerk.username);
    });
  });

  describe('client certificates', () => {
    it('when an agency has a bound certificate, then its key alone is refused and only the trusted proxy presenting that certificate gets through', async () => {
      const [a] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
      const fingerprint = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01';
      const bound = await cli(['agency', 'bind-cert', '--code', a.code, '--fingerprint', fingerprint, '--subject', 'CN=he-thong,O=So Noi vu']);
      expect(bound.code, bound.out).to.equal(0);
      await new Promise((r) => setTimeout(r, 5_100)); // past the gateway's memory of verified keys
      const call = (g: RunningGateway, headers: Record<string, string> = {}) => fetch(`${g.baseUrl}/v1/outbox`, { headers: { authorization: `Bearer ${a.apiKey}`, ...headers } });
      const proxied = { 'x-client-verify': 'SUCCESS', 'x-client-cert-fingerprint': fingerprint.replace(/:/g, '').toLowerCase(), 'x-client-subject-dn': 'O=So Noi vu, CN=he-thong' };
      expect((await call(gw)).status, 'a key alone').to.equal(401);
      expect((await call(gw, { ...proxied, 'x-client-cert-fingerprint': '00'.repeat(20) })).status, 'another certificate').to.equal(401);
      expect((await call(gw, { ...proxied, 'x-client-verify': 'FAILED:unable to verify' })).status, 'not verified by the proxy').to.equal(401);
      expect((await call(gw, proxied)).status, 'the bound certificate through the trusted proxy').to.equal(200);
      const untrusted = await startGateway(); // the same headers from a peer that is not a trusted proxy
      try {
        expect((await call(untrusted, proxied)).status).to.equal(401);
      } finally {
        await untrusted.close();
      }
      const audit = await gw.db.query(`SELECT action FROM audit_log WHERE agency_code = $1`, [a.code]);
      expect(audit.rows.map((r) => r.action)).to.include('agency.bind_certificate');
    });
  });

  describe('push secrets and the audit log', () => {
    it('when a push secret is given on the command line, then it is refused; from an environment variable or stdin it is stored', async () => {
      const code = `${uniqueTag()}.SEC`;
      const base = ['agency', 'add', '--code', code, '--name', 'Hệ thống thử', '--channel', 'push', '--endpoint', 'https://example.invalid/hook'];
      const onArgv = await cli([...base, '--secret', 'bi-mat-tren-dong-lenh']);
      expect(onArgv.code).to.equal(2);
      expect(onArgv.out).to.contain('--secret-env');
      expect((await gw.db.query(`SELECT count(*)::int AS n FROM agencies WHERE code = $1`, [code])).rows[0].n, 'nothing written').to.equal(0);
      const fromEnv = await cli([...base, '--secret-env', 'PUSH_SECRET'], { env: { PUSH_SECRET: 'bi-mat-tu-bien-moi-truong' } });
      expect(fromEnv.code, fromEnv.out).to.equal(0);
      const sealed = async () => (await gw.db.query(`SELECT webhook_secret_enc AS s FROM agencies WHERE code = $1`, [code])).rows[0].s as string;
      const masterKey = Buffer.from(testEnv().masterKeyHex, 'hex');
      expect(openSecret(await sealed(), masterKey, 'webhook-secret')).to.equal('bi-mat-tu-bien-moi-truong');
      const fromStdin = await cli([...base, '--secret'], { stdin: 'bi-mat-tu-stdin\n' });
      expect(fromStdin.code, fromStdin.out).to.equal(0);
      expect(openSecret(await sealed(), masterKey, 'webhook-secret')).to.equal('bi-mat-tu-stdin');
    });

    it('when an administrator creates and revokes a key and retries nothing, then the audit page of that agency shows it and another agency\'s does not', async () => {
      const [a, b] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
      const admin = await createWebUser(gw.db, a.code, 'admin');
      const web = new WebClient(gw.baseUrl);
      expect((await web.signIn(admin.username, admin.password)).status).to.equal(303);
      const created = await web.post('/admin/api-keys', { agency: a.code, label: 'hệ thống' }, { fromPage: '/admin' });
      expect(created.status).to.equal(200);
      const id = (await gw.db.query(`SELECT id FROM api_keys WHERE agency_code = $1 AND label = 'hệ thống'`, [a.code])).rows[0].id as string;
      expect((await web.post(`/admin/api-keys/${id}/revoke`, {}, { fromPage: '/admin' })).status).to.equal(303);
      const cliKey = await cli(['apikey', 'create', '--agency', a.code, '--scope', 'read', '--expires-days', '30', '--json']);
      expect(cliKey.code, cliKey.out).to.equal(0);
      const page = await web.get('/admin/audit');
      expect(page.status).to.equal(200);
      for (const action of ['apikey.create', 'apikey.revoke']) expect(page.text).to.contain(`data-action="${action}"`);
      expect(page.text).to.contain('operator:cli').and.contain(id);

      const otherAdmin = await createWebUser(gw.db, b.code, 'admin');
      const other = new WebClient(gw.baseUrl);
      expect((await other.signIn(otherAdmin.username, otherAdmin.password)).status).to.equal(303);
      expect((await other.get('/admin/audit')).text).to.not.contain(id);
      const clerk = await createWebUser(gw.db, a.code, 'clerk');
      const clerkWeb = new WebClient(gw.baseUrl);
      await clerkWeb.signIn(clerk.username, clerk.password);
      expect((await clerkWeb.get('/admin/audit')).status, 'only administrators').to.equal(403);
      const scoped = await createApiKey(gw.db, a.code, 'read only', ['read']);
      const send = await postDocument(gw.baseUrl, scoped.key, documentForm(metadataFor([b.code]), await makePdf(1)));
      expect([send.status, send.body.error.code]).to.deep.equal([403, 'FORBIDDEN']);
    });
  });
});
