import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { createWebUser, WebClient } from './web-client';

/**
 * The notification centre pages like every list (README § Lists: keyset cursors, the inbox's
 * pager): every notification is reachable however many there are, and "mark all read" marks
 * what the page was read with, not a notification that arrived after.
 */
describe('web notifications: keyset pages, and "mark all read" up to what the page showed', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let agency: TestAgency;
  let web: WebClient;
  let userId = '';
  const TOTAL = 137;

  const idsOf = (html: string) => [...html.matchAll(/name="id" value="(\d+)"/g)].map((m) => Number(m[1]));
  const titlesOf = (html: string) => [...html.matchAll(/Thông báo thử số (\d+)/g)].map((m) => Number(m[1]));
  const linkOf = (html: string, rel: string) => {
    const m = new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(html);
    return m ? m[1]!.replace(/&amp;/g, '&') : null;
  };

  before(async () => {
    gw = await startGateway();
    [agency] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
    const who = await createWebUser(gw.db, agency.code, 'clerk');
    userId = (await gw.db.query(`SELECT id FROM users WHERE username = $1`, [who.username])).rows[0].id;
    await gw.db.query(
      `INSERT INTO notifications (user_id, kind, title) SELECT $1, 'new_document', 'Thông báo thử số ' || i FROM generate_series(1, $2::int) i ORDER BY i`,
      [userId, TOTAL],
    );
    web = new WebClient(gw.baseUrl);
    expect((await web.signIn(who.username, who.password)).status).to.equal(303);
  });
  after(async () => {
    await gw?.close();
  });

  it('when there are more notifications than a page, then the page says the total and next/last links walk every one, newest first, once', async () => {
    const first = await web.get('/notifications?limit=50');
    expect(first.status).to.equal(200);
    expect(first.text).to.match(/Hiển thị <strong>50<\/strong> \/ <strong>137<\/strong> thông báo/);
    const seen: number[] = [];
    let page = first;
    for (let i = 0; i < 10; i++) {
      seen.push(...titlesOf(page.text));
      const next = linkOf(page.text, 'next');
      if (!next) break;
      page = await web.get(next);
      expect(page.status).to.equal(200);
    }
    expect(seen).to.deep.equal(Array.from({ length: TOTAL }, (_, i) => TOTAL - i));
    const last = await web.get(linkOf(first.text, 'last')!);
    // The last page is the oldest page-full (as on every list), and previous goes back from it.
    expect(titlesOf(last.text)).to.deep.equal(Array.from({ length: 50 }, (_, i) => 50 - i));
    const prev = await web.get(linkOf(last.text, 'prev')!);
    expect(titlesOf(prev.text)).to.deep.equal(Array.from({ length: 50 }, (_, i) => 100 - i));
    // The web's default page is 50, the sizes 20/50/100/200; a forged cursor is a 400, not a 500.
    expect(titlesOf((await web.get('/notifications')).text)).to.have.length(50);
    expect((await web.get('/notifications?cursor=bm90LWEtY3Vyc29y')).status).to.equal(400);
    expect((await web.get('/notifications?cursor=' + Buffer.from('{"d":"a","k":["99999999999999999999"]}').toString('base64url'))).status).to.equal(400);
  });

  it('when "mark all read" is posted from a page and a notification arrives in between, then every one shown up to then is read and the new one stays unread', async () => {
    const shown = await web.get('/notifications?limit=20');
    expect(idsOf(shown.text)).to.have.length(20);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(shown.text)![1]!;
    const upTo = /name="upTo" value="(\d+)"/.exec(shown.text)![1]!;
    await gw.db.query(`INSERT INTO notifications (user_id, kind, title) VALUES ($1, 'new_document', 'Đến sau khi trang đã mở')`, [userId]);
    const r = await web.request('POST', '/notifications/read', new URLSearchParams({ _csrf: csrf, upTo }));
    expect(r.status).to.equal(303);
    const unread = (await gw.db.query(`SELECT title FROM notifications WHERE user_id = $1 AND read_at IS NULL`, [userId])).rows.map((x) => x.title);
    expect(unread).to.deep.equal(['Đến sau khi trang đã mở']);
  });
});
