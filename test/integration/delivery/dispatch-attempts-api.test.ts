import { expect } from 'chai';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { inTransaction } from '../../../services/db/pool';
import { createApiKey } from '../../../services/domain/apikeys/api-key.repository';
import { INTERRUPTED_ATTEMPT_ERROR } from '../../../services/domain/dispatches/attempt-outcome';
import { beginPushAttempt, recordFailedAttempt } from '../../../services/domain/dispatches/dispatch.repository';
import { retryDispatches } from '../../../services/domain/dispatches/retry-dispatch';
import { acceptTestDocument, routeTestDocument } from '../../support/accepted-document.fixture';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { WebClient, createWebUser } from '../web/web-client';

const FIELDS = ['attempt', 'round', 'startedAt', 'at', 'outcome', 'httpStatus', 'error', 'proof'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** An error as a hostile endpoint could make it appear (its answer quoted): the page must escape it. */
const HOSTILE_ERROR = 'điểm nhận trả lời HTTP 503: <b id="x">bận</b>';

/**
 * The history of a push copy's attempts (dispatch_attempts), for the sending agency: the API route
 * GET /v1/documents/:id/dispatches/:dispatchId/attempts and the sender's document page. The
 * attempts are written by the worker's own statements (beginPushAttempt, recordFailedAttempt)
 * without a worker: a refused connection, an attempt left under way by a dead worker (marked
 * interrupted by the next one), a 503, and one under way now.
 */
describe('push attempts: the history of a copy, over the API and on the sender page', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let other: TestAgency;
  let hosted: TestAgency;
  let pushed: TestAgency;
  let documentId: string;
  let pushCopy: string;
  let hostedCopy: string;
  let otherCopy: string;

  const url = (doc: string, dispatch: string, q = '') => `/v1/documents/${doc}/dispatches/${dispatch}/attempts${q}`;
  const attemptsOf = (body: any) => (body.items as any[]).map((a) => a.attempt);

  before(async () => {
    gw = await startGateway();
    [sender, other, hosted] = (await createAgencies(gw.db, 3)) as [TestAgency, TestAgency, TestAgency];
    [pushed] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: 'http://127.0.0.1:9/in', secret: 'the-secret-of-a-failing-endpoint' })) as [TestAgency];
    const made = await inTransaction(gw.db, (tx) => acceptTestDocument(tx, { sender: sender.code, recipients: [pushed.code, hosted.code], subject: 'Về việc thử lịch sử gửi' }));
    documentId = made.documentId;
    [pushCopy, hostedCopy] = made.dispatchIds as [string, string];
    await routeTestDocument(gw.db, documentId);
    // The hand-made document's jobs are never run: no worker of a later suite pushes to its endpoint.
    await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = $1`, [documentId]);
    const channels = await gw.db.query(`SELECT id, channel FROM dispatches WHERE document_id = $1`, [documentId]);
    expect(Object.fromEntries(channels.rows.map((r) => [r.id, r.channel]))).to.deep.equal({ [pushCopy]: 'push', [hostedCopy]: 'hosted' });
    const later = new Date(Date.now() + 60_000);

    const a1 = (await beginPushAttempt(gw.db, pushCopy))!;
    await recordFailedAttempt(gw.db, { dispatchId: pushCopy, documentId, attemptId: a1.attemptId, httpStatus: null, error: 'không kết nối được tới điểm nhận: ECONNREFUSED', nextAttemptAt: later });
    await beginPushAttempt(gw.db, pushCopy); // 2: its worker dies; attempt 3 marks it interrupted
    const a3 = (await beginPushAttempt(gw.db, pushCopy))!;
    await recordFailedAttempt(gw.db, { dispatchId: pushCopy, documentId, attemptId: a3.attemptId, httpStatus: 503, error: HOSTILE_ERROR, nextAttemptAt: later });
    await beginPushAttempt(gw.db, pushCopy); // 4: under way

    // Another document of the sender, for a dispatch id that is not this document's.
    const another = await inTransaction(gw.db, (tx) => acceptTestDocument(tx, { sender: sender.code, recipients: [hosted.code] }));
    otherCopy = another.dispatchIds[0]!;
  });
  after(async () => gw.close());

  it('when the sender reads a push copy\'s attempts, then they come newest first with when, outcome, HTTP status, error and proof, as the OpenAPI document publishes them', async () => {
    const res = await getJson(gw.baseUrl, url(documentId, pushCopy), sender.apiKey);
    expect(res.status).to.equal(200);
    expect(res.body.total).to.equal(4);
    expect(res.body.nextCursor).to.equal(null);
    expect(res.body.prevCursor).to.equal(null);
    for (const a of res.body.items) {
      expect(Object.keys(a)).to.deep.equal(FIELDS);
      expect(a.startedAt).to.match(ISO);
      expect(a.at).to.match(ISO);
      expect(a.proof).to.equal(null);
    }
    expect(res.body.items.map((a: any) => a.round), 'one retry budget: round 1 throughout').to.deep.equal([1, 1, 1, 1]);
    expect(res.body.items.map((a: any) => [a.attempt, a.outcome, a.httpStatus])).to.deep.equal([
      [4, 'started', null],
      [3, 'failed', 503],
      [2, 'interrupted', null],
      [1, 'failed', null],
    ]);
    expect(res.body.items.map((a: any) => a.error)).to.deep.equal([null, HOSTILE_ERROR, INTERRUPTED_ATTEMPT_ERROR, 'không kết nối được tới điểm nhận: ECONNREFUSED']);

    const doc = (await (await fetch(`${gw.baseUrl}/v1/openapi.json`)).json()) as { paths: Record<string, any> };
    const { $schema: _s, ...schema } = doc.paths['/v1/documents/{id}/dispatches/{dispatchId}/attempts']!.get.responses['200'].content['application/json'].schema;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    expect(ajv.validate(schema, res.body), ajv.errorsText()).to.equal(true);

    // The TypeScript client's dispatchAttempts() is tested in test/clients (compiled with the client's generated types).
  });

  it('when the attempts are paged with limit and cursor, then the pages follow each other without gap or overlap, and limit and cursor are checked as on the other lists', async () => {
    const first = await getJson(gw.baseUrl, url(documentId, pushCopy, '?limit=3'), sender.apiKey);
    expect(first.status).to.equal(200);
    expect(attemptsOf(first.body)).to.deep.equal([4, 3, 2]);
    expect(first.body.total).to.equal(4);
    expect(first.body.prevCursor).to.equal(null);
    expect(first.body.nextCursor).to.be.a('string');
    const second = await getJson(gw.baseUrl, url(documentId, pushCopy, `?limit=3&cursor=${first.body.nextCursor}`), sender.apiKey);
    expect(attemptsOf(second.body)).to.deep.equal([1]);
    expect(second.body.nextCursor).to.equal(null);
    expect(second.body.total).to.equal(4);
    const back = await getJson(gw.baseUrl, url(documentId, pushCopy, `?limit=3&cursor=${second.body.prevCursor}`), sender.apiKey);
    expect(attemptsOf(back.body)).to.deep.equal([4, 3, 2]);
    const last = await getJson(gw.baseUrl, url(documentId, pushCopy, '?limit=3&page=last'), sender.apiKey);
    expect(attemptsOf(last.body)).to.deep.equal([3, 2, 1]);

    for (const q of ['?limit=0', '?limit=201', '?limit=abc', '?cursor=not-a-cursor!', '?cursor=eyJkIjoiYSIsImsiOlsieCJdfQ', '?order=asc']) {
      const bad = await getJson(gw.baseUrl, url(documentId, pushCopy, q), sender.apiKey);
      expect(bad.status, q).to.equal(400);
      expect(bad.body.error.code, q).to.equal('VALIDATION_FAILED');
    }
  });

  it('when anyone but the sender asks, or for a dispatch that is not the document\'s, then 404 NOT_FOUND as for the paper packet; a key without the read scope is refused with 403', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const cases: [string, string, string][] = [
      ["another agency's key", other.apiKey, url(documentId, pushCopy)],
      ["the recipient's own key (attempts come before it has the document)", pushed.apiKey, url(documentId, pushCopy)],
      ['a dispatch of another document of the sender', sender.apiKey, url(documentId, otherCopy)],
      ['an unknown dispatch', sender.apiKey, url(documentId, unknown)],
      ['an unknown document', sender.apiKey, url(unknown, pushCopy)],
      ['ids that are not UUIDs', sender.apiKey, url('abc', 'def')],
    ];
    for (const [what, key, path] of cases) {
      const res = await getJson(gw.baseUrl, path, key);
      expect(res.status, what).to.equal(404);
      expect(res.body.error.code, what).to.equal('NOT_FOUND');
      const packet = await getJson(gw.baseUrl, path.replace(/\/attempts$/, '/packet'), key);
      expect(packet.status, `the packet route, ${what}`).to.equal(404);
    }

    const sendOnly = (await createApiKey(gw.db, sender.code, 'send only', ['send'])).key;
    const refused = await getJson(gw.baseUrl, url(documentId, pushCopy), sendOnly);
    expect(refused.status).to.equal(403);
    expect(refused.body.error.code).to.equal('FORBIDDEN');
    expect(refused.body.error.details[0].requiredScope).to.deep.equal(['read']);
  });

  it('when the copy is hosted (no push), then the list is empty', async () => {
    const res = await getJson(gw.baseUrl, url(documentId, hostedCopy), sender.apiKey);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ items: [], total: 0, nextCursor: null, prevCursor: null });
  });

  it("when the sender's clerk opens the document, then the push copy shows its attempts in Vietnamese, escaped, and its live refresh keeps them; the hosted copy shows none", async () => {
    const clerk = await createWebUser(gw.db, sender.code, 'clerk');
    const web = new WebClient(gw.baseUrl);
    expect((await web.signIn(clerk.username, clerk.password)).status).to.equal(303);
    const page = await web.get(`/outbox/${documentId}`);
    expect(page.status).to.equal(200);
    const history = (html: string, dispatchId: string) => new RegExp(`<details class="attempt-history" data-attempts="${dispatchId}">([\\s\\S]*?)</details>`).exec(html)?.[1];
    const live = await web.get(`/outbox/${documentId}/live`);
    expect(live.status).to.equal(200);
    for (const html of [page.text, JSON.parse(live.text).dispatches as string]) {
      const shown = history(html, pushCopy);
      expect(shown, 'the push copy has its history').to.be.a('string');
      expect(shown).to.contain('Lịch sử các lần gửi (4 lần thử)');
      const rows = [...shown!.matchAll(/<tr data-attempt-outcome="([a-z]+)" data-attempt-round="1"><td data-label="Lần">(\d+)<\/td>[\s\S]*?<td data-label="Kết quả">([^<]*)<\/td>[\s\S]*?<td data-label="Mã HTTP">([^<]*)<\/td>/g)].map((m) => [m[2], m[1], m[3], m[4]]);
      expect(rows).to.deep.equal([
        ['4', 'started', 'Đang gửi', '—'],
        ['3', 'failed', 'Lỗi', '503'],
        ['2', 'interrupted', 'Bị gián đoạn', '—'],
        ['1', 'failed', 'Lỗi', '—'],
      ]);
      expect(shown, 'one round: no round column').to.not.contain('data-label="Đợt"');
      expect(shown, 'all four shown: no link to more').to.not.contain('data-all-attempts');
      expect(shown).to.contain('điểm nhận trả lời HTTP 503: &lt;b id=&quot;x&quot;&gt;bận&lt;/b&gt;');
      expect(shown).to.not.contain('<b id="x">');
      expect(shown).to.contain('không rõ điểm nhận đã nhận hay chưa');
      expect(history(html, hostedCopy), 'no history for the hosted copy').to.equal(undefined);
    }
  });
  /** A new document of the sender to the push recipient, its jobs marked published so no worker runs them; its push copy. */
  async function pushCopyOfNewDocument(subject: string): Promise<{ documentId: string; dispatchId: string }> {
    const made = await inTransaction(gw.db, (tx) => acceptTestDocument(tx, { sender: sender.code, recipients: [pushed.code], subject }));
    await routeTestDocument(gw.db, made.documentId);
    await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = $1 AND published_at IS NULL`, [made.documentId]);
    return { documentId: made.documentId, dispatchId: made.dispatchIds[0]! };
  }

  async function failedAttempts(dispatchId: string, documentId: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const a = (await beginPushAttempt(gw.db, dispatchId))!;
      await recordFailedAttempt(gw.db, { dispatchId, documentId, attemptId: a.attemptId, httpStatus: 502, error: `điểm nhận trả lời HTTP 502 (lần ${i + 1})`, nextAttemptAt: new Date(Date.now() + 60_000) });
    }
  }

  it('when an operator retries a failed copy, then its new attempts start again at 1 in round 2, the API and the page tell the rounds apart, and a second retry makes round 3', async () => {
    const { documentId: doc, dispatchId } = await pushCopyOfNewDocument('Về việc thử gửi lại sau khi lỗi');
    await failedAttempts(dispatchId, doc, 2);
    const retry = async () => {
      await gw.db.query(`UPDATE dispatches SET status = 'failed', next_attempt_at = NULL WHERE id = $1`, [dispatchId]);
      expect(await retryDispatches(gw.db, [dispatchId], 'user:operator', async () => {})).to.deep.equal([dispatchId]);
      await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = $1 AND published_at IS NULL`, [doc]);
    };
    await retry();
    await failedAttempts(dispatchId, doc, 1);
    const under = (await beginPushAttempt(gw.db, dispatchId))!;
    expect([under.attempt, under.round]).to.deep.equal([2, 2]);

    const res = await getJson(gw.baseUrl, url(doc, dispatchId), sender.apiKey);
    expect(res.status).to.equal(200);
    expect(res.body.items.map((a: any) => [a.round, a.attempt, a.outcome])).to.deep.equal([
      [2, 2, 'started'],
      [2, 1, 'failed'],
      [1, 2, 'failed'],
      [1, 1, 'failed'],
    ]);

    const clerk = await createWebUser(gw.db, sender.code, 'clerk');
    const web = new WebClient(gw.baseUrl);
    expect((await web.signIn(clerk.username, clerk.password)).status).to.equal(303);
    const page = await web.get(`/outbox/${doc}`);
    const rows = [...page.text.matchAll(/<tr data-attempt-outcome="[a-z]+" data-attempt-round="(\d+)"><td data-label="Lần">(\d+)<\/td><td data-label="Đợt">(\d+)<\/td>/g)].map((m) => [m[3], m[2]]);
    expect(rows, 'the page shows the round beside each attempt').to.deep.equal([['2', '2'], ['2', '1'], ['1', '2'], ['1', '1']]);

    // The under-way attempt's worker died; after a second failure and retry, the next attempt opens round 3.
    await retry();
    const third = (await beginPushAttempt(gw.db, dispatchId))!;
    expect([third.attempt, third.round]).to.deep.equal([1, 3]);
    const after = await getJson(gw.baseUrl, url(doc, dispatchId, '?limit=2'), sender.apiKey);
    expect(after.body.items.map((a: any) => [a.round, a.attempt, a.outcome])).to.deep.equal([[3, 1, 'started'], [2, 2, 'interrupted']]);
    expect(after.body.total).to.equal(5);
  });

  it('when a copy has more attempts than the document page shows, then the page links to all of them, in pages the sender alone can open', async () => {
    const { documentId: doc, dispatchId } = await pushCopyOfNewDocument('Về việc thử nhiều lần gửi');
    await failedAttempts(dispatchId, doc, 23);
    const clerk = await createWebUser(gw.db, sender.code, 'clerk');
    const web = new WebClient(gw.baseUrl);
    expect((await web.signIn(clerk.username, clerk.password)).status).to.equal(303);
    const page = await web.get(`/outbox/${doc}`);
    expect(page.status).to.equal(200);
    const link = new RegExp(`<a href="([^"]+)" data-all-attempts="${dispatchId}">Xem tất cả 23 lần thử</a>`).exec(page.text);
    expect(link, 'a link to all 23 attempts').to.not.equal(null);
    expect(page.text).to.contain('Hiển thị 20 lần gần nhất trong 23 lần thử');
    const numbers = (html: string) => [...html.matchAll(/<td data-label="Lần">(\d+)<\/td>/g)].map((m) => Number(m[1]));

    const first = await web.get(`${link![1]}?limit=20`);
    expect(first.status).to.equal(200);
    expect(first.text).to.contain('Các lần gửi văn bản');
    expect(numbers(first.text)).to.deep.equal(Array.from({ length: 20 }, (_, i) => 23 - i));
    expect(first.text).to.contain('data-total="23"');
    const next = /<a href="([^"]+)" rel="next">/.exec(first.text);
    expect(next, 'a next page').to.not.equal(null);
    const second = await web.get(next![1]!.replace(/&amp;/g, '&'));
    expect(second.status).to.equal(200);
    expect(numbers(second.text)).to.deep.equal([3, 2, 1]);
    expect(second.text).to.not.contain('rel="next"');

    for (const q of ['?limit=0', '?limit=abc', '?cursor=not-a-cursor!']) {
      const bad = await web.get(`${link![1]}${q}`);
      expect(bad.status, q).to.equal(400);
      expect(bad.text, q).to.contain('không hợp lệ');
    }

    // Another agency's clerk, a dispatch of another document, an id that is not a UUID: the same 404.
    const stranger = await createWebUser(gw.db, other.code, 'clerk');
    const otherWeb = new WebClient(gw.baseUrl);
    expect((await otherWeb.signIn(stranger.username, stranger.password)).status).to.equal(303);
    expect((await otherWeb.get(link![1]!)).status).to.equal(404);
    expect((await web.get(`/outbox/${doc}/dispatches/${otherCopy}/attempts`)).status).to.equal(404);
    expect((await web.get(`/outbox/${doc}/dispatches/abc/attempts`)).status).to.equal(404);

    // A hosted copy has no attempts: the page says so.
    const hostedPage = await web.get(`/outbox/${documentId}/dispatches/${hostedCopy}/attempts`);
    expect(hostedPage.status).to.equal(200);
    expect(hostedPage.text).to.contain('nơi nhận nhận văn bản trong hộp thư trên hệ thống');
    // A push copy not tried yet says only that.
    const fresh = await pushCopyOfNewDocument('Về việc thử bản gửi chưa gửi lần nào');
    const freshPage = await web.get(`/outbox/${fresh.documentId}/dispatches/${fresh.dispatchId}/attempts`);
    expect(freshPage.status).to.equal(200);
    expect(freshPage.text).to.contain('Bản gửi này chưa có lần gửi nào.');
  });
});
