import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { tableCounts } from '../../support/table-counts';
import { createWebUser, WebClient } from './web-client';

describe('web security: sessions, CSRF, agency scoping and lock-out', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let a: TestAgency;
  let b: TestAgency;
  let c: TestAgency;
  let documentId: string;
  let clerkA: { username: string; password: string };
  let clerkC: { username: string; password: string };

  before(async () => {
    gw = await startGateway();
    const agencies = await createAgencies(gw.db, 3);
    [a, b, c] = [agencies[0]!, agencies[1]!, agencies[2]!];
    clerkA = await createWebUser(gw.db, a.code, 'clerk');
    clerkC = await createWebUser(gw.db, c.code, 'clerk');
    const posted = await postDocument(gw.baseUrl, a.apiKey, documentForm(metadataFor([b.code]), await makePdf(1)));
    expect(posted.status).to.equal(202);
    documentId = posted.body.id;
  });

  after(async () => {
    await gw.close();
  });

  it('when a visitor who is not signed in opens /, then the sign-in page is shown with security headers', async () => {
    const res = await new WebClient(gw.baseUrl).get('/');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('Đăng nhập').and.contain('name="_csrf"');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).to.contain("default-src 'self'").and.contain("script-src 'self'").and.not.contain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
  });

  it('when a form is posted without its CSRF token, then 403 and nothing is written', async () => {
    const web = new WebClient(gw.baseUrl);
    expect((await web.signIn(clerkA.username, clerkA.password)).status).to.equal(303);
    const before = await tableCounts(gw.db);
    const revoke = await web.post(`/outbox/${documentId}/revoke`, { reason: 'thử' }, { csrf: false });
    expect(revoke.status).to.equal(403);
    const form = documentForm(metadataFor([b.code]), await makePdf(1));
    const send = await web.request('POST', '/send', form);
    expect(send.status).to.equal(403);
    const forged = await web.request('POST', `/outbox/${documentId}/revoke`, new URLSearchParams({ reason: 'x', _csrf: 'A'.repeat(43) }));
    expect(forged.status).to.equal(403);
    expect(await tableCounts(gw.db)).to.deep.equal(before);
    const doc = await gw.db.query(`SELECT status FROM documents WHERE id = $1`, [documentId]);
    expect(doc.rows[0].status).not.to.equal('revoked');
    const signIn = await new WebClient(gw.baseUrl).post('/sign-in', { username: clerkA.username, password: clerkA.password }, { csrf: false });
    expect(signIn.status).to.equal(403);
  });

  it("when a clerk asks for another agency's document by id, then every page answers 404", async () => {
    const web = new WebClient(gw.baseUrl);
    await web.signIn(clerkC.username, clerkC.password);
    const dispatch = (await gw.db.query(`SELECT id FROM dispatches WHERE document_id = $1`, [documentId])).rows[0].id as string;
    for (const p of [`/outbox/${documentId}`, `/documents/${documentId}/files/original`, `/documents/${documentId}/files/signed`, `/inbox/${dispatch}`]) {
      const res = await web.get(p);
      expect(res.status, p).to.equal(404);
      expect(res.text).not.to.contain('cải cách hành chính');
    }
    const post = await web.post(`/outbox/${documentId}/revoke`, { reason: 'không phải của tôi' }, { fromPage: '/inbox' });
    expect(post.status).to.equal(404);
    const status = await web.post(`/inbox/${dispatch}/status`, { code: '03' }, { fromPage: '/inbox' });
    expect(status.status).to.equal(404);
    const own = new WebClient(gw.baseUrl);
    await own.signIn(clerkA.username, clerkA.password);
    expect((await own.get(`/outbox/${documentId}`)).status).to.equal(200);
  });

  it('when a user signs in, then the session id is new and an earlier one is destroyed (no fixation)', async () => {
    const web = new WebClient(gw.baseUrl);
    const planted = 'Z'.repeat(43);
    web.cookies.set('lt_session', planted);
    const first = await web.signIn(clerkA.username, clerkA.password);
    expect(first.status).to.equal(303);
    const s1 = web.cookies.get('lt_session')!;
    expect(s1).to.match(/^[A-Za-z0-9_-]{43}$/).and.not.equal(planted);
    const cookie = first.headers.getSetCookie().find((x) => x.startsWith('lt_session='))!;
    expect(cookie).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
    // Signing in again from a signed-in browser (the form's token is then the session's own).
    await web.post('/sign-in', { username: clerkA.username, password: clerkA.password }, { fromPage: '/inbox' });
    const s2 = web.cookies.get('lt_session')!;
    expect(s2).not.to.equal(s1);
    const stale = new WebClient(gw.baseUrl);
    stale.cookies.set('lt_session', s1);
    expect((await stale.get('/inbox')).status).to.equal(303);
    expect((await web.get('/inbox')).status).to.equal(200);
  });

  it('when a password is wrong five times, then the account is locked even for the right password, and the audit log says so', async () => {
    const victim = await createWebUser(gw.db, a.code, 'clerk');
    const web = new WebClient(gw.baseUrl);
    for (let i = 0; i < 5; i++) expect((await web.signIn(victim.username, `sai-mat-khau-${i}`)).status).to.be.oneOf([401, 429]);
    const right = await web.signIn(victim.username, victim.password);
    expect(right.status).to.equal(429);
    expect(right.text).to.contain('tạm khóa');
    expect(web.cookies.has('lt_session')).to.equal(false);
    const audit = await gw.db.query(`SELECT action, detail FROM audit_log WHERE actor = $1 ORDER BY id`, [victim.username]);
    const actions = audit.rows.map((r) => r.action);
    expect(actions.filter((x) => x === 'login.failure')).to.have.length(5);
    expect(actions).to.include('login.lockout').and.include('login.refused_locked');
    expect(JSON.stringify(audit.rows)).not.to.contain(victim.password).and.not.contain('sai-mat-khau');
  });

  it('when sign-ins succeed and fail with logging at trace level, then no password reaches the logs', async () => {
    const user = await createWebUser(gw.db, a.code, 'clerk');
    const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'services', 'gateway', 'main.js')], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'trace', LIENTHONG_PROCESS: 'gateway' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`gateway did not start: ${out}`)), 20_000);
        child.stdout!.on('data', () => {
          const m = /"url":"(http:[^"]+)"/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
      });
      const web = new WebClient(url);
      expect((await web.signIn(user.username, 'mat-khau-sai-123')).status).to.equal(401);
      expect((await web.signIn(user.username, user.password)).status).to.equal(303);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(out).to.contain('"path":"/sign-in"');
    expect(out).not.to.contain(user.password);
    expect(out).not.to.contain('mat-khau-sai-123');
  });
});
