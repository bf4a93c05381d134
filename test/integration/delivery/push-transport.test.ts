import { expect } from 'chai';
import { classifyAddress, addressRefusal } from '../../../services/domain/agencies/address-policy';
import { edxmlDocumentId, emitEdxmlStatus } from '../../../services/edxml';
import { receiptProblem } from '../../../workers/delivery/delivery-receipt';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { hugeAnswer, redirectTo, rssMbOf, stalledAnswer, startRecordingServer, type RecordingServer } from '../../support/hostile-receivers';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const SECRET = 'a-test-webhook-secret-of-the-agency';
const FAST = {
  LIENTHONG_RETRY_BASE_MS: '200',
  LIENTHONG_RETRY_MAX_MS: '400',
  LIENTHONG_PUSH_TIMEOUT_MS: '3000',
  LIENTHONG_PUSH_BODY_TIMEOUT_MS: '1000',
  LIENTHONG_PUSH_CONNECT_TIMEOUT_MS: '3000',
};

interface DispatchState {
  id: string;
  recipient: string;
  status: string;
  attempts: number;
  lastError: string | null;
  tries: { outcome: string; httpStatus: number | null; error: string | null; proof: string | null }[];
  ledger: { kind: string; proof: string | null }[];
}

async function dispatchesOf(db: RunningGateway['db'], documentId: string): Promise<DispatchState[]> {
  const r = await db.query(
    `SELECT x.id, x.recipient_code AS recipient, x.status, x.attempts, x.last_error AS "lastError",
            COALESCE((SELECT json_agg(json_build_object('outcome', a.outcome, 'httpStatus', a.http_status, 'error', a.error, 'proof', a.proof) ORDER BY a.id)
                        FROM dispatch_attempts a WHERE a.dispatch_id = x.id), '[]') AS tries,
            COALESCE((SELECT json_agg(json_build_object('kind', l.kind, 'proof', l.detail->>'proof') ORDER BY l.id)
                        FROM ledger l WHERE l.dispatch_id = x.id), '[]') AS ledger
       FROM dispatches x WHERE x.document_id = $1 ORDER BY x.recipient_code`,
    [documentId],
  );
  return r.rows;
}

/** A copy's attempts that have an outcome: the one under way, if any, is 'started' (migration 0107). */
function finished(d: DispatchState): DispatchState['tries'] {
  return d.tries.filter((t) => t.outcome !== 'started');
}

describe('push transport: redirects, huge and stalled answers, forbidden addresses, receipts', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let worker: WorkerProcess | undefined;
  const servers: RecordingServer[] = [];

  before(async () => {
    gw = await startGateway();
    [sender] = (await createAgencies(gw.db, 1)) as [TestAgency];
  });
  after(async () => {
    await worker?.stop();
    await Promise.all(servers.map((s) => s.close()));
    await gw.close();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && worker) process.stderr.write(worker.output().slice(-4000));
    await worker?.stop();
    worker = undefined;
  });

  async function server(answer?: Parameters<typeof startRecordingServer>[0]): Promise<RecordingServer> {
    const s = await startRecordingServer(answer);
    servers.push(s);
    return s;
  }

  async function send(recipients: TestAgency[]): Promise<string> {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(recipients.map((r) => r.code)), await makePdf(1)));
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    return posted.body.id as string;
  }

  it('classifies addresses: loopback, private, link-local, metadata, unspecified and mapped forms are refused; public ones pass', () => {
    const table: [string, string | null][] = [
      ['127.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.20.0.1', 'private'],
      ['192.168.1.1', 'private'],
      ['fd12::1', 'private'],
      ['169.254.169.254', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['169.254.1.1', 'link-local'],
      ['fe80::1', 'link-local'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['203.162.4.190', null],
      ['2001:4860:4860::8888', null],
    ];
    for (const [address, cls] of table) expect(classifyAddress(address), address).to.equal(cls);
    expect(addressRefusal('127.0.0.1', true), 'allowed private endpoint').to.equal(null);
    expect(addressRefusal('169.254.169.254', true), 'metadata stays refused').to.match(/metadata/);
  });

  it('reads a strict receipt: the delivery id in JSON, or an edXML status 01 from the recipient answering for the document', () => {
    const expected = { deliveryId: '9a1f2c3e-0000-4000-8000-000000000001', recipientCode: '000.00.31.H15', sender: '000.00.00.H15', issuedOn: '2026-11-28', number: '12', notation: 'KH-UBND' };
    const answer = (body: string, incomplete = false) => ({ status: 200, contentType: 'application/xml', body: Buffer.from(body), incomplete, remoteAddress: '127.0.0.1' });
    const status = (code: '01' | '02', from = expected.recipientCode) =>
      emitEdxmlStatus({
        from: { organId: from, organName: 'Cơ quan nhận' },
        responseFor: { organId: expected.sender, code: '12/KH-UBND', promulgationDate: expected.issuedOn, documentId: edxmlDocumentId(expected.sender, expected.issuedOn, '12', 'KH-UBND') },
        statusCode: code,
        timestamp: '2026-11-28T09:00:00+07:00',
      });
    expect(receiptProblem(answer(JSON.stringify({ deliveryId: expected.deliveryId })), expected)).to.equal(null);
    expect(receiptProblem(answer(status('01')), expected)).to.equal(null);
    expect(receiptProblem(answer(status('02')), expected)).to.match(/trạng thái 02/);
    expect(receiptProblem(answer(status('01', '000.00.99.H15')), expected)).to.match(/không phải cơ quan nhận/);
    expect(receiptProblem(answer('{"deliveryId":"another"}'), expected)).to.match(/không mang mã lần gửi/);
    expect(receiptProblem(answer(''), expected)).to.match(/không gửi biên nhận/);
    expect(receiptProblem(answer(status('01'), true), expected)).to.match(/không đọc được trọn vẹn/);
  });

  it('when endpoints answer 301, 302, 303, 307 and 308, then nothing is delivered, nothing reaches the redirect target, each attempt names the Location, and fixing the endpoint delivers', async () => {
    const target = await server();
    const codes = [301, 302, 303, 307, 308];
    const redirectors = await Promise.all(codes.map((c) => server(redirectTo(c, `${target.url}/stolen/${c}`))));
    const agencies: TestAgency[] = [];
    for (const r of redirectors) agencies.push(...(await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `${r.url}/inbox`, secret: SECRET })));
    worker = spawnWorker(FAST);
    const id = await send(agencies);
    const states = await waitFor('three refused attempts per redirecting endpoint', async () => {
      const d = await dispatchesOf(gw.db, id);
      // Attempts with an outcome (the one under way reads 'started' until it has one).
      return d.length === codes.length && d.every((x) => finished(x).length >= 3) ? d : undefined;
    }, { timeoutMs: 90_000 });
    expect(target.connections(), 'connections to the redirect target').to.equal(0);
    expect(target.requests).to.have.length(0);
    for (const [i, code] of codes.entries()) {
      const d = states.find((x) => x.recipient === agencies[i]!.code)!;
      expect(d.status, `dispatch behind ${code}`).to.not.equal('delivered');
      expect(finished(d).every((t) => t.outcome === 'failed' && t.httpStatus === code), JSON.stringify(d.tries)).to.equal(true);
      expect(d.lastError).to.equal(`điểm nhận chuyển hướng tới ${target.url}/stolen/${code}`);
      expect(d.ledger.filter((l) => l.kind === 'dispatch_delivered'), 'ledger counts no delivery').to.have.length(0);
      expect(redirectors[i]!.requests.length, 'the redirector got the POST with its body').to.be.greaterThan(0);
      expect(redirectors[i]!.requests.every((r) => r.method === 'POST' && r.bodyBytes > 1000)).to.equal(true);
    }
    // The operator fixes one endpoint: the next attempt delivers it, with its proof in the ledger.
    const fixed = await server((_q, res) => res.writeHead(200).end('{"ok":true}'));
    await gw.db.query(`UPDATE agencies SET endpoint_url = $2 WHERE code = $1`, [agencies[0]!.code, `${fixed.url}/inbox`]);
    const delivered = await waitFor('the fixed endpoint to receive the document', async () => {
      const d = (await dispatchesOf(gw.db, id)).find((x) => x.recipient === agencies[0]!.code)!;
      return d.status === 'delivered' ? d : undefined;
    }, { timeoutMs: 60_000 });
    expect(fixed.requests.filter((r) => r.deliveryId === delivered.id && r.bodyBytes > 1000)).to.have.length(1);
    expect(delivered.ledger.filter((l) => l.kind === 'dispatch_delivered')).to.deep.equal([{ kind: 'dispatch_delivered', proof: 'http-2xx' }]);
    expect(delivered.lastError).to.equal(null);
    expect(target.connections()).to.equal(0);
  });

  it('when the receiver answers 200 with a 1 GiB body, then the push is delivered once and the worker reads 64 KiB of it, staying under 300 MB', async () => {
    const huge = await server(hugeAnswer(1024 ** 3));
    const [agency] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `${huge.url}/inbox`, secret: SECRET })) as [TestAgency];
    worker = spawnWorker(FAST);
    const pid = worker.child.pid!;
    let maxRss = 0;
    const sampler = setInterval(() => void rssMbOf(pid).then((mb) => (maxRss = Math.max(maxRss, mb)), () => undefined), 50);
    try {
      const id = await send([agency]);
      const d = await waitFor('the push to count delivered', async () => {
        const [x] = await dispatchesOf(gw.db, id);
        return x?.status === 'delivered' ? x : undefined;
      }, { timeoutMs: 60_000 });
      expect(huge.requests.filter((r) => r.deliveryId === d.id)).to.have.length(1);
      expect(huge.requests[0]!.bodyBytes).to.be.greaterThan(1000);
      expect(d.tries).to.deep.equal([{ outcome: 'delivered', httpStatus: 200, error: null, proof: 'http-2xx' }]);
      // A few more samples after the answer, while the worker would still be reading it.
      await new Promise((r) => setTimeout(r, 1500));
      maxRss = Math.max(maxRss, await rssMbOf(pid));
    } finally {
      clearInterval(sampler);
    }
    expect(maxRss, 'worker RSS in MB').to.be.greaterThan(0).and.lessThan(300);
    process.stdout.write(`      worker max RSS during the 1 GiB answer: ${maxRss} MB\n`);
  });

  it('when the answer stalls after its headers, then a plain endpoint counts the 2xx and a strict-receipt endpoint does not count it', async () => {
    const stalled = await server(stalledAnswer());
    const [plain] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `${stalled.url}/plain`, secret: SECRET })) as [TestAgency];
    const [strict] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `${stalled.url}/strict`, secret: SECRET, pushReceipt: true })) as [TestAgency];
    worker = spawnWorker(FAST);
    const id = await send([plain, strict]);
    const states = await waitFor('the plain push delivered and the strict one refused twice', async () => {
      const d = await dispatchesOf(gw.db, id);
      const p = d.find((x) => x.recipient === plain.code);
      const s = d.find((x) => x.recipient === strict.code);
      return p?.status === 'delivered' && (s ? finished(s).length : 0) >= 2 ? { p: p!, s: s! } : undefined;
    }, { timeoutMs: 60_000 });
    expect(states.s.status).to.not.equal('delivered');
    expect(states.s.lastError).to.match(/biên nhận .*không đọc được trọn vẹn/);
    expect(states.s.ledger.filter((l) => l.kind === 'dispatch_delivered')).to.have.length(0);
    expect(states.p.ledger.filter((l) => l.kind === 'dispatch_delivered')).to.deep.equal([{ kind: 'dispatch_delivered', proof: 'http-2xx' }]);
  });

  it('when a strict-receipt endpoint answers with the delivery id it counts as a receipt; an answer without it is a failed attempt', async () => {
    const good = await server((_q, res, rec) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ deliveryId: rec.deliveryId })));
    const vague = await server((_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}'));
    const [a] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `${good.url}/in`, secret: SECRET, pushReceipt: true })) as [TestAgency];
    const [b] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `${vague.url}/in`, secret: SECRET, pushReceipt: true })) as [TestAgency];
    worker = spawnWorker(FAST);
    const id = await send([a, b]);
    const states = await waitFor('a receipt and two vague answers', async () => {
      const d = await dispatchesOf(gw.db, id);
      const x = d.find((y) => y.recipient === a.code);
      const y = d.find((z) => z.recipient === b.code);
      return x?.status === 'delivered' && (y ? finished(y).length : 0) >= 2 ? { x: x!, y: y! } : undefined;
    }, { timeoutMs: 60_000 });
    expect(states.x.ledger.filter((l) => l.kind === 'dispatch_delivered')).to.deep.equal([{ kind: 'dispatch_delivered', proof: 'receipt' }]);
    expect(states.y.status).to.not.equal('delivered');
    expect(states.y.lastError).to.equal(`biên nhận không mang mã lần gửi ${states.y.id}`);
  });

  it('when dev mode is off, then an endpoint resolving to loopback is refused before connecting and plain http is refused', async () => {
    const listener = await server();
    const [named] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `https://localhost:${listener.port}/in`, secret: SECRET, allowPrivateEndpoint: false })) as [TestAgency];
    const [plainHttp] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `http://example.invalid:${listener.port}/in`, secret: SECRET, allowPrivateEndpoint: false })) as [TestAgency];
    worker = spawnWorker({ ...FAST, LIENTHONG_DEV_MODE: '0' });
    const id = await send([named, plainHttp]);
    const d = await waitFor('two refused attempts each', async () => {
      const rows = await dispatchesOf(gw.db, id);
      return rows.length === 2 && rows.every((x) => finished(x).length >= 2) ? rows : undefined;
    }, { timeoutMs: 60_000 });
    const byCode = new Map(d.map((x) => [x.recipient, x]));
    expect(byCode.get(named.code)!.lastError).to.match(/^điểm nhận phân giải tới localhost → địa chỉ loopback/);
    expect(byCode.get(plainHttp.code)!.lastError).to.match(/phải dùng https/);
    for (const x of d) expect(x.status).to.not.equal('delivered');
    expect(listener.connections(), 'connections that reached the loopback listener').to.equal(0);
  });
});
