import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { emitEdxmlDocument, parseEdxml } from '../../../services/edxml';
import { signDelivery } from '../../../workers/delivery/signed-post';
import { createHub, type HubInstance } from '../../support/hub-instance';
import { documentForm, getJson, postDocument } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { uniqueTag } from '../../support/test-env';
import { waitFor } from '../../support/wait';

/**
 * Issue 22, items 1 and 5: two Liên Thông instances (two databases on the test server, two Redis
 * queue prefixes, two directories, each with its own gateway and worker processes) registered as
 * each other's peers. Documents go each way through the relay channel; statuses come back; a
 * revoke is relayed; then the receiving hub is down for PEER_DOWN_MS (default two minutes, as the
 * issue says) while three documents are sent, and each arrives exactly once after it returns.
 */
const PEER_DOWN_MS = Number(process.env.PEER_DOWN_MS ?? 120_000);

describe('federation: two hubs exchange documents over the relay channel', function () {
  this.timeout(900_000);
  let a: HubInstance;
  let b: HubInstance;
  const secret = randomBytes(32).toString('hex');
  const secretVar = `PEER_SECRET_TEST_${uniqueTag(4)}`;
  const tagOf = (h: HubInstance) => h.agencies[0]!.code.split('.')[0]!;
  const subject = (what: string) => `Liên thông giữa hai tỉnh: ${what} ${uniqueTag(4)}`;

  // Polls another instance's database (its notifications do not reach the suite's listener).
  const poll = <T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 180_000) => waitFor(what, check, { timeoutMs, recheckMs: 500 });

  async function send(from: HubInstance, to: string, what: string): Promise<{ id: string; subject: string }> {
    const s = subject(what);
    const res = await postDocument(from.baseUrl, from.agencies[0]!.apiKey, documentForm(metadataFor([to], { subject: s }), await makePdf(1, 'federation relay test')));
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    return { id: res.body.id, subject: s };
  }

  async function inboxItem(hub: HubInstance, subjectText: string): Promise<any> {
    const r = await getJson(hub.baseUrl, '/v1/inbox?limit=100', hub.agencies[0]!.apiKey);
    return r.body.items?.find((i: any) => i.subject === subjectText);
  }

  async function senderView(hub: HubInstance, id: string): Promise<any> {
    return (await getJson(hub.baseUrl, `/v1/documents/${id}`, hub.agencies[0]!.apiKey)).body.dispatches[0];
  }

  async function setStatus(hub: HubInstance, dispatchId: string, code: string): Promise<void> {
    const res = await fetch(`${hub.baseUrl}/v1/inbox/${dispatchId}/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.agencies[0]!.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code, note: `mã ${code}` }),
    });
    expect(res.status, await res.clone().text()).to.equal(200);
  }

  before(async () => {
    process.env[secretVar] = secret;
    const fast = { LIENTHONG_RETRY_BASE_MS: '500', LIENTHONG_RETRY_MAX_MS: '5000', LIENTHONG_SWEEP_INTERVAL_MS: '5000', LIENTHONG_SWEEP_AGE_MS: '10000' };
    a = await createHub({ hubId: `HUBA${uniqueTag(3)}`, agencies: 1, env: fast });
    b = await createHub({ hubId: `HUBB${uniqueTag(3)}`, agencies: 1, env: fast });
    await a.peer(['add', '--id', b.hubId, '--url', b.baseUrl, '--secret-env', secretVar, '--codes', `${tagOf(b)}.*`, '--allow-private-endpoint']);
    await b.peer(['add', '--id', a.hubId, '--url', a.baseUrl, '--secret-env', secretVar, '--codes', `${tagOf(a)}.*`, '--allow-private-endpoint']);
    await Promise.all([a.start(), b.start()]);
  });

  after(async () => {
    delete process.env[secretVar];
    await Promise.all([a?.drop(), b?.drop()]);
  });

  for (const way of ['A → B', 'B → A'] as const) {
    it(`${way}: the document is delivered on the other hub, and its 01 → 03 → 06 are seen by the sender`, async () => {
      const [from, to] = way === 'A → B' ? [a, b] : [b, a];
      const sent = await send(from, to.agencies[0]!.code, `gửi ${way}`);
      const item = await poll(`the document in the inbox of ${to.agencies[0]!.code}`, () => inboxItem(to, sent.subject));
      expect(item.sender).to.equal(from.agencies[0]!.code);
      // The sender's copy went by relay and counts as delivered (electronic) with the peer's receipt.
      const copy = await poll('the relay dispatch delivered', async () => ((await senderView(from, sent.id))?.status === 'delivered' ? senderView(from, sent.id) : undefined));
      expect(copy.channel).to.equal('relay');
      expect(copy.attempts).to.be.greaterThan(0);
      const ledger = await from.db.query(`SELECT channel, detail FROM ledger WHERE document_id = $1 AND kind = 'dispatch_delivered'`, [sent.id]);
      expect(ledger.rows).to.have.length(1);
      expect(ledger.rows[0].channel).to.equal('relay');
      // The recipient registers (03) and completes (06) on its own hub; the sender sees both.
      await setStatus(to, item.dispatchId, '03');
      await setStatus(to, item.dispatchId, '06');
      const done = await poll('03 and 06 back on the sender hub', async () => {
        const d = await senderView(from, sent.id);
        return d?.status === 'completed' ? d : undefined;
      });
      expect(done.events.map((e: any) => e.code)).to.deep.equal(['01', '03', '06']);
      // Every hop is in the trace: the sender, then the sending hub.
      const xml = await (await fetch(`${to.baseUrl}/v1/documents/${item.documentId}/edxml`, { headers: { authorization: `Bearer ${to.agencies[0]!.apiKey}` } })).text();
      const parsed = parseEdxml(Buffer.from(xml));
      expect(parsed.kind).to.equal('document');
      if (parsed.kind !== 'document') return;
      expect(parsed.document.traceHeaders.map((t) => t.organId)).to.deep.equal([from.agencies[0]!.code, from.hubId]);
    });
  }

  it("peer sync reads the peer's own agencies into the directory: both code forms, the hub, last seen; a rename follows", async () => {
    const theirs = b.agencies[0]!;
    const altCode = `G${uniqueTag(2)}.${uniqueTag(2)}.01`.replace(/[^0-9A-Z.]/g, '');
    await b.db.query(`UPDATE agencies SET alt_code = $2 WHERE code = $1`, [theirs.code, altCode]);
    const first = (await a.peer(['sync', '--id', b.hubId])) as { listed: number }[];
    expect(first[0]!.listed).to.be.at.least(1);
    const row = async () => (await a.db.query(`SELECT name, alt_code AS "altCode", reached_via AS "reachedVia", peer_id AS "peerId", channel, last_seen_at AS "lastSeenAt" FROM agencies WHERE code = $1`, [theirs.code])).rows[0];
    const stored = await row();
    expect(stored).to.include({ name: theirs.name, altCode, reachedVia: 'peer', peerId: b.hubId, channel: 'relay' });
    expect(stored.lastSeenAt).to.be.instanceOf(Date);
    await b.db.query(`UPDATE agencies SET name = $2 WHERE code = $1`, [theirs.code, `${theirs.name} (đổi tên)`]);
    const second = (await a.peer(['sync', '--id', b.hubId])) as { renamed: number }[];
    expect(second[0]!.renamed).to.equal(1);
    const renamed = await row();
    expect(renamed.name).to.equal(`${theirs.name} (đổi tên)`);
    expect(renamed.lastSeenAt.getTime()).to.be.at.least(stored.lastSeenAt.getTime());
    // Only a registered hub with the shared secret may read the list.
    const ts = String(Math.floor(Date.now() / 1000));
    const forged = await fetch(`${b.baseUrl}/v1/peer/agencies`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-lienthong-hub': a.hubId, 'x-lienthong-timestamp': ts, 'x-lienthong-signature': signDelivery('wrong-secret-wrong-secret-wrong-secret', ts, '{}') }, body: '{}' });
    expect(forged.status).to.equal(401);
  });

  it('a revoke on the sending hub is relayed: the recipient on the other hub keeps the entry marked revoked, with 13 and the reason', async () => {
    const sent = await send(a, b.agencies[0]!.code, 'sẽ thu hồi');
    const item = await poll('the document in B', () => inboxItem(b, sent.subject));
    await poll('A sees it delivered', async () => (await senderView(a, sent.id))?.status === 'delivered');
    const res = await fetch(`${a.baseUrl}/v1/documents/${sent.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.agencies[0]!.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Ban hành nhầm, thu hồi' }),
    });
    expect(res.status).to.equal(200);
    const revoked = await poll('the copy revoked on B', async () => {
      const i = await inboxItem(b, sent.subject);
      return i?.status === 'revoked' ? i : undefined;
    });
    expect(revoked.revokeReason).to.equal('Ban hành nhầm, thu hồi');
    const timeline = await b.db.query(`SELECT code, note FROM dispatch_events WHERE dispatch_id = $1 ORDER BY id`, [item.dispatchId]);
    expect(timeline.rows.map((e) => e.code)).to.include('13');
    expect(timeline.rows.find((e) => e.code === '13').note).to.equal('Ban hành nhầm, thu hồi');
  });

  it("a take-back (13) by the sender travels to the recipient's hub, and the recipient's answer (16) comes back", async () => {
    const sent = await send(a, b.agencies[0]!.code, 'lấy lại');
    const item = await poll('the document in B', () => inboxItem(b, sent.subject));
    const copy = await poll('A sees it delivered', async () => ((await senderView(a, sent.id))?.status === 'delivered' ? senderView(a, sent.id) : undefined));
    await setStatus(a, copy.id, '13');
    await poll('the take-back on B', async () => {
      const r = await b.db.query(`SELECT pending_request AS p FROM dispatches WHERE id = $1`, [item.dispatchId]);
      return r.rows[0].p === 'takeback';
    });
    await setStatus(b, item.dispatchId, '16');
    const answered = await poll('16 back on A', async () => {
      const d = await senderView(a, sent.id);
      return d?.events.some((e: any) => e.code === '16') ? d : undefined;
    });
    expect(answered.events.map((e: any) => e.code)).to.deep.equal(['01', '13', '16']);
  });

  for (const type of [2, 3] as const) {
    it(`${type === 2 ? 'an update (BussinessDocType 2)' : 'a replacement (BussinessDocType 3)'} sent on hub A travels to hub B and points at B's copy of the original`, async () => {
      const original = await send(a, b.agencies[0]!.code, `bản gốc ${type}`);
      const originalOnB = await poll('the original in B', () => inboxItem(b, original.subject));
      const xml = await (await fetch(`${a.baseUrl}/v1/documents/${original.id}/edxml`, { headers: { authorization: `Bearer ${a.agencies[0]!.apiKey}` } })).text();
      const parsed = parseEdxml(Buffer.from(xml));
      if (parsed.kind !== 'document') throw new Error('not a document envelope');
      const o = parsed.document;
      const newSubject = subject(type === 2 ? 'cập nhật' : 'thay thế');
      const envelope = emitEdxmlDocument({
        ...o,
        documentId: null,
        code: { number: String(100000 + Math.floor(Math.random() * 800000)), notation: o.code.notation },
        subject: newSubject,
        responseFor: [{ organId: o.from.organId, code: `${o.code.number}/${o.code.notation}`, promulgationDate: o.promulgation.date, documentId: o.documentId }],
        business: { businessDocType: type, businessDocReason: 'Sửa nội dung', paper: 0 },
        traceHeaders: [{ organId: o.from.organId, timestamp: o.traceHeaders[0]!.timestamp }],
      });
      const res = await fetch(`${a.baseUrl}/v1/edxml`, { method: 'POST', headers: { authorization: `Bearer ${a.agencies[0]!.apiKey}`, 'content-type': 'application/xml' }, body: envelope });
      expect(res.status, await res.clone().text()).to.equal(202);
      const arrived = await poll('the new document in B', () => inboxItem(b, newSubject));
      const onB = await b.db.query(`SELECT business_type AS "businessType", response_for AS "responseFor" FROM documents WHERE id = $1`, [arrived.documentId]);
      expect(onB.rows[0]).to.deep.equal({ businessType: type, responseFor: originalOnB.documentId });
      if (type === 3) {
        const old = await poll('the original replaced on B', async () => {
          const r = await b.db.query(`SELECT status FROM documents WHERE id = $1`, [originalOnB.documentId]);
          return r.rows[0].status === 'replaced' ? r.rows[0] : undefined;
        });
        expect(old.status).to.equal('replaced');
      }
    });
  }

  it('a relayed envelope that already passed through the receiving hub is refused as a loop; the same envelope twice makes one document', async () => {
    const sent = await send(a, b.agencies[0]!.code, 'vòng lặp');
    const item = await poll('the document in B', () => inboxItem(b, sent.subject));
    const envelope = await (await fetch(`${a.baseUrl}/v1/documents/${sent.id}/edxml`, { headers: { authorization: `Bearer ${a.agencies[0]!.apiKey}` } })).text();
    const post = async (body: string) => {
      const ts = String(Math.floor(Date.now() / 1000));
      return fetch(`${b.baseUrl}/v1/edxml`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml', 'x-lienthong-hub': a.hubId, 'x-lienthong-timestamp': ts, 'x-lienthong-signature': signDelivery(secret, ts, body) },
        body,
      });
    };
    const again = await post(envelope);
    expect(again.status).to.equal(202);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(((await again.json()) as { id: string }).id).to.equal(item.documentId);
    const parsed = parseEdxml(Buffer.from(envelope));
    if (parsed.kind !== 'document') throw new Error('not a document envelope');
    const looped = emitEdxmlDocument({ ...parsed.document, traceHeaders: [...parsed.document.traceHeaders, { organId: b.hubId, timestamp: '2026-03-05T10:00:00+07:00' }, { organId: a.hubId, timestamp: '2026-03-05T10:00:01+07:00' }] });
    const loop = await post(looped);
    expect(loop.status).to.equal(409);
    expect(JSON.stringify(await loop.json())).to.include('relay-loop');
    // A wrong signature is 401, whoever it claims to be.
    const forged = await fetch(`${b.baseUrl}/v1/edxml`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', 'x-lienthong-hub': a.hubId, 'x-lienthong-timestamp': String(Math.floor(Date.now() / 1000)), 'x-lienthong-signature': 'sha256=00' },
      body: envelope,
    });
    expect(forged.status).to.equal(401);
    const copies = await b.db.query(`SELECT count(*)::int AS n FROM documents WHERE subject = $1`, [sent.subject]);
    expect(copies.rows[0].n).to.equal(1);
  });

  it(`the peer hub down for ${PEER_DOWN_MS / 1000} s: three relays queue and retry, then each arrives exactly once`, async () => {
    await b.stop();
    const sent = [];
    for (let i = 1; i <= 3; i++) sent.push(await send(a, b.agencies[0]!.code, `khi liên thông nhận ngừng ${i}`));
    const downSince = Date.now();
    // Every relay fails against the stopped hub, recorded as an attempt the sender sees.
    for (const s of sent) {
      const d = await poll('a failed relay attempt recorded', async () => {
        const v = await senderView(a, s.id);
        return v?.lastError ? v : undefined;
      });
      expect(d.status).to.be.oneOf(['pending', 'delivering']);
      expect(d.lastError).to.match(/ECONNREFUSED|kết nối/);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, PEER_DOWN_MS - (Date.now() - downSince))));
    const attemptsWhileDown = (await a.db.query(`SELECT count(*)::int AS n FROM dispatch_attempts t JOIN dispatches x ON x.id = t.dispatch_id WHERE x.document_id = ANY($1::uuid[])`, [sent.map((s) => s.id)])).rows[0].n;
    expect(attemptsWhileDown).to.be.at.least(3);
    await b.start();
    for (const s of sent) {
      await poll(`${s.subject} delivered after the peer returned`, async () => (await senderView(a, s.id))?.status === 'delivered');
      await poll(`${s.subject} in B's inbox`, () => inboxItem(b, s.subject));
    }
    for (const s of sent) {
      const onB = await b.db.query(`SELECT count(*)::int AS n FROM documents d JOIN dispatches x ON x.document_id = d.id WHERE d.subject = $1`, [s.subject]);
      expect(onB.rows[0].n, `${s.subject} on B`).to.equal(1);
      const delivered = await a.db.query(`SELECT count(*)::int AS n FROM ledger WHERE document_id = $1 AND kind = 'dispatch_delivered'`, [s.id]);
      expect(delivered.rows[0].n, `${s.subject} ledger on A`).to.equal(1);
    }
  });
});
