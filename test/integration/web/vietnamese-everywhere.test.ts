import { expect } from 'chai';
import { ROLES, type Role } from '../../../services/domain/users/roles';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople } from '../../support/agency-people.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { createWebUser, WebClient } from './web-client';

/**
 * Words a clerk should never read: the code's English names of states and channels, programming
 * leftovers and raw actor ids. Whole words, any case. Text inside <code>/<pre>/<kbd> (API keys,
 * commands, file names shown on purpose) is not the interface's language and is left out.
 */
const LEFTOVERS =
  /\b(pending|delivering|delivered|failed|accepted|converted|routed|revoked|completed|hosted|push|paper|relay|inbox|outbox|submit|search|status|error|warning|undefined|null|NaN|true|false|invalid|expected|required|string|object|lienthong|document|dispatch|dashboard|settings|login|logout|password|username)\b|\[object Object\]|\b(user|apikey|system):[a-z0-9]/gi;

/** Paths never fetched by the crawl: sign-out, live streams, downloads. */
const SKIP = /^\/(sign-out|logout)|\/events\b|\/stream\b|\.(pdf|xlsx|csv|zip|xml|svg|css|js|png|ico)(\?|$)|\/files\/|\/download|[?&](format|download)=/;

function visibleText(page: string): string {
  const attrs = [...page.matchAll(/\s(?:placeholder|title|aria-label|alt)="([^"]*)"/g)].map((m) => m[1]).join(' \n ');
  const body = page
    .replace(/<(script|style|code|pre|kbd|template)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
  return `${body}\n${attrs}`;
}

function linksOf(page: string): string[] {
  return [...page.matchAll(/<a\b[^>]*\shref="(\/[^"#]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

/** The pages a role reaches from its home by following links, one per path (the first query seen). */
async function crawl(web: WebClient, maxPages: number): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const queue = ['/'];
  const pathsTaken = new Set<string>();
  while (queue.length && seen.size < maxPages) {
    const url = queue.shift()!;
    const path = url.split('?')[0]!.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id');
    if (pathsTaken.has(path) || SKIP.test(url)) continue;
    pathsTaken.add(path);
    let res = await web.get(url);
    for (let hops = 0; res.status >= 300 && res.status < 400 && res.location && hops < 3; hops++) {
      if (!res.location.startsWith('/')) break;
      res = await web.get(res.location);
    }
    if (!(res.headers.get('content-type') ?? '').includes('text/html')) continue;
    seen.set(url, res.text);
    for (const link of linksOf(res.text)) queue.push(link);
  }
  return seen;
}

describe('Vietnamese everywhere: no English state names, programming leftovers or raw ids on any page a role can reach', function () {
  this.timeout(300_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let recipient: TestAgency;
  const people = new Map<string, Awaited<ReturnType<typeof createAgencyPeople>>>();

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    worker = spawnWorker();
    for (const a of [sender, recipient]) people.set(a.code, await createAgencyPeople(gw.db, a.code));
    // Something in every list: two delivered documents, one registered, one revoked.
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), await makePdf(1)));
      expect(r.status).to.equal(202);
      ids.push(r.body.id);
    }
    await waitFor('documents delivered', async () => {
      const r = await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = ANY($1::uuid[]) AND status = 'delivered'`, [ids]);
      return r.rows[0].n === 2;
    });
    const x = await gw.db.query(`SELECT id FROM dispatches WHERE document_id = $1`, [ids[0]]);
    const st = await fetch(`${gw.baseUrl}/v1/inbox/${x.rows[0].id}/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${recipient.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: '03' }),
    });
    expect(st.status).to.equal(200);
    const rv = await fetch(`${gw.baseUrl}/v1/documents/${ids[1]}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sender.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Gửi nhầm' }),
    });
    expect(rv.status).to.equal(200);
  });
  after(async () => {
    await worker.stop();
    await gw.close();
  });

  for (const role of ROLES as readonly Role[]) {
    it(`when a ${role} follows every link from the home page, then no page shows English or raw codes`, async () => {
      const findings: string[] = [];
      for (const agency of [sender, recipient]) {
        // Unit heads and specialists belong to a department: the agency's people as Decree 30 has them.
        const dept = people.get(agency.code)!.departments[0]!;
        const user = role === 'unit_head' ? dept.head : role === 'specialist' ? dept.specialist : await createWebUser(gw.db, agency.code, role);
        const web = new WebClient(gw.baseUrl);
        expect((await web.signIn(user.username, user.password)).status).to.equal(303);
        const pages = await crawl(web, 60);
        expect(pages.size, 'pages reached').to.be.greaterThan(2);
        for (const [url, html] of pages) {
          const text = visibleText(html).replaceAll(user.username, '');
          for (const m of text.matchAll(LEFTOVERS)) {
            const at = m.index ?? 0;
            findings.push(`${url}: «${m[0]}» in “${text.slice(Math.max(0, at - 40), at + 40).replace(/\s+/g, ' ').trim()}”`);
          }
        }
      }
      expect([...new Set(findings)], 'English or raw codes on the pages').to.deep.equal([]);
    });
  }
});
