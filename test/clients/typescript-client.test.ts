import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { LienThongClient, LienThongError, verifyPushSignature, type DocumentMetadata, type PushVerification } from '../../clients/typescript/src';
import { projectRoot } from '../../services/config/project-root';
import { edxmlDocumentId, edxmlTimestampOf, emitEdxmlStatus } from '../../services/edxml';
import { createAgencies, type TestAgency } from '../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../support/http.fixture';
import { waitFor } from '../support/wait';
import { spawnWorker, type WorkerProcess } from '../support/worker.fixture';

const SECRET = 'the-receiving-agency-secret-for-the-client-test';

/** A receiver written with the client's verifyPushSignature, as a vendor would. */
async function startVerifyingReceiver() {
  const seen: { verdict: PushVerification; headers: http.IncomingHttpHeaders; raw: Buffer }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const verdict = verifyPushSignature(req.headers, raw, SECRET);
      seen.push({ verdict, headers: req.headers, raw });
      res.writeHead(verdict.ok ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('clients/typescript against the running gateway and workers', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let recipient: TestAgency;
  let pushTarget: TestAgency;
  let receiver: Awaited<ReturnType<typeof startVerifyingReceiver>>;

  before(async () => {
    gw = await startGateway();
    receiver = await startVerifyingReceiver();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    [pushTarget] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret: SECRET, pushFormat: 'edxml' })) as [TestAgency];
    worker = spawnWorker();
  });
  after(async () => {
    await worker?.stop();
    await receiver?.close();
    await gw?.close();
  });

  it('when a system submits, follows, receives, registers, answers by edXML and revokes through the client, then every call returns the typed answer the gateway gave', async () => {
    const lt = new LienThongClient({ baseUrl: gw.baseUrl, apiKey: sender.apiKey });
    const ltIn = new LienThongClient({ baseUrl: `${gw.baseUrl}/`, apiKey: recipient.apiKey });
    const metadata: DocumentMetadata = {
      documentType: 'CV',
      notation: 'UBND-VP',
      issuedOn: '2026-03-05',
      place: 'Đắk Lắk',
      subject: 'Thử nghiệm thư viện kết nối',
      signer: { authority: 'TL.', position: 'CHÁNH VĂN PHÒNG', fullName: 'Nguyễn Văn Mẫu' },
      recipients: [recipient.code, pushTarget.code],
    };
    const bytes = fs.readFileSync(path.join(projectRoot(), 'docs', 'samples', 'cong-van-mau.pdf'));
    const submitted = await lt.submit({ metadata, file: { name: 'cong-van-mau.pdf', bytes } }, { idempotencyKey: `client-${sender.code}` });
    expect(submitted.status).to.equal('accepted');
    const again = await lt.submit({ metadata, file: { name: 'cong-van-mau.pdf', bytes } }, { idempotencyKey: `client-${sender.code}` });
    expect(again.id).to.equal(submitted.id);

    const item = await waitFor('the document in the recipient inbox', async () => (await ltIn.inbox({ limit: 10 })).items.find((i) => i.documentId === submitted.id));
    const view = await lt.document(submitted.id);
    expect(view.dispatches.map((d) => d.recipient).sort()).to.deep.equal([recipient.code, pushTarget.code].sort());
    // Attempts: none for the hosted copy; the push copy's once its attempt is written, each with its outcome.
    const hostedCopy = view.dispatches.find((d) => d.recipient === recipient.code)!;
    expect(await lt.dispatchAttempts(submitted.id, hostedCopy.id)).to.deep.include({ items: [], total: 0 });
    const pushCopy = view.dispatches.find((d) => d.recipient === pushTarget.code)!;
    const attempts = await waitFor('the push copy\'s first attempt', async () => {
      const page = await lt.dispatchAttempts(submitted.id, pushCopy.id, { limit: 5 });
      return page.items.length > 0 ? page : undefined;
    });
    expect(attempts.total).to.be.at.least(attempts.items.length);
    for (const a of attempts.items) {
      expect(a.attempt).to.be.at.least(1);
      expect(['started', 'delivered', 'failed', 'interrupted']).to.include(a.outcome);
    }
    const signed = await ltIn.downloadFile(submitted.id, 'signed');
    expect(Buffer.from(signed.subarray(0, 5)).toString()).to.equal('%PDF-');
    const registered = await ltIn.postStatus(item.dispatchId, { code: '03' });
    expect(registered.incomingNumber).to.be.a('string');

    const xml = await ltIn.documentEdxml(submitted.id);
    expect(xml).to.include(edxmlDocumentId(sender.code, view.metadata.issuedOn, view.metadata.number!, view.metadata.notation));
    const processing = emitEdxmlStatus({
      from: { organId: recipient.code, organName: recipient.name },
      responseFor: { organId: sender.code, code: `${view.metadata.number}/${view.metadata.notation}`, promulgationDate: view.metadata.issuedOn, documentId: edxmlDocumentId(sender.code, view.metadata.issuedOn, view.metadata.number!, view.metadata.notation) },
      statusCode: '05',
      timestamp: edxmlTimestampOf(new Date()),
    });
    expect(await ltIn.submitEdxml(processing)).to.be.an('object');
    const afterStatus = await lt.document(submitted.id);
    expect(afterStatus.dispatches.find((d) => d.recipient === recipient.code)?.status).to.equal('processing');

    const bad = await ltIn.submitEdxml('<not-edxml/>').then(() => undefined, (e: unknown) => e);
    expect(bad).to.be.instanceOf(LienThongError);
    expect((bad as LienThongError).code).to.equal('INVALID_EDXML');
    expect((bad as LienThongError).status).to.equal(422);

    const rate = await lt.stats({ from: '2026-01-01', to: '2026-12-31', groupBy: 'quarter', agency: sender.code });
    expect(rate.totals).to.be.an('object');
    expect((await lt.agencies()).agencies.some((a) => a.code === recipient.code)).to.equal(true);
    expect((await lt.outbox({ limit: 5 })).items.some((o) => o.documentId === submitted.id)).to.equal(true);

    const revoked = await lt.revoke(submitted.id, 'Thử thu hồi qua thư viện');
    expect(revoked).to.be.an('object');
    await waitFor('the revoked copy to leave the inbox', async () => !(await ltIn.inbox({ limit: 10 })).items.some((i) => i.documentId === submitted.id && i.status !== 'revoked'));
  });

  it('when Liên Thông pushes to a receiver built on verifyPushSignature, then the real delivery verifies, and the same delivery with one byte changed, another secret or an old timestamp does not', async () => {
    const push = await waitFor('a push to reach the receiver', async () => receiver.seen.find((s) => s.verdict.ok));
    expect(push.verdict).to.include({ ok: true, attempt: 1 });
    const tampered = Buffer.from(push.raw);
    const at = tampered.length - 20;
    tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
    expect(verifyPushSignature(push.headers, tampered, SECRET)).to.include({ ok: false, reason: 'bad-signature' });
    expect(verifyPushSignature(push.headers, push.raw, `${SECRET}x`)).to.include({ ok: false, reason: 'bad-signature' });
    const later = new Date(Date.now() + 10 * 60_000);
    expect(verifyPushSignature(push.headers, push.raw, SECRET, { now: later })).to.include({ ok: false, reason: 'stale-timestamp' });
    expect(verifyPushSignature({}, push.raw, SECRET)).to.include({ ok: false, reason: 'missing-headers' });
    expect(verifyPushSignature(new Headers(push.headers as Record<string, string>), push.raw.toString('utf8'), SECRET).ok).to.equal(true);
  });
});
