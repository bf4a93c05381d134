import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { edxmlDocumentId, emitEdxmlStatus } from '../../../services/edxml';
import type { EdxmlResponseFor } from '../../../services/edxml/edxml-types';
import { receiptProblem, type ExpectedReceipt } from '../../../workers/delivery/delivery-receipt';
import { pushRequest } from '../../../workers/delivery/push-transport';

/**
 * README § Push delivery rules, Proof: a `--push-receipt` agency's edXML receipt must answer for
 * THIS document — its DocumentId, or without one sender + số/ký hiệu + promulgation date together.
 * Numbers restart every year, so "12/KH-UBND" alone names many documents. The answers come from a
 * real local receiver through the push transport.
 */
const expected: ExpectedReceipt = { deliveryId: '9a1f2c3e-0000-4000-8000-000000000001', recipientCode: '000.00.31.H15', sender: '000.00.00.H15', issuedOn: '2026-11-28', number: '12', notation: 'KH-UBND' };

describe('push receipt: an edXML status must answer for this very document', function () {
  this.timeout(30_000);
  let answer = '';
  let server: http.Server;
  let url = '';
  before(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/xml' }).end(answer));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lienthong`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const statusFor = (responseFor: EdxmlResponseFor) =>
    emitEdxmlStatus({ from: { organId: expected.recipientCode, organName: 'Cơ quan nhận' }, responseFor, statusCode: '01', timestamp: '2026-11-28T09:00:00+07:00' });
  const forDoc = (sender: string, issuedOn: string, withId = true): EdxmlResponseFor => ({
    organId: sender,
    code: '12/KH-UBND',
    promulgationDate: issuedOn,
    documentId: withId ? edxmlDocumentId(sender, issuedOn, '12', 'KH-UBND') : null,
  });
  async function check(body: string, e: ExpectedReceipt = expected): Promise<string | null> {
    answer = body;
    const res = await pushRequest({ url, headers: { 'content-type': 'application/xml' }, body: '<edXML/>', allowPrivate: true, allowHttp: true, timeouts: { connectMs: 3000, headersMs: 3000, bodyMs: 3000 } });
    expect(res.status).to.equal(200);
    return receiptProblem(res, e);
  }

  it('accepts the status 01 naming this document', async () => {
    expect(await check(statusFor(forDoc(expected.sender, expected.issuedOn)))).to.equal(null);
  });

  it('refuses a status 01 for last year\'s document with the same number/notation', async () => {
    expect(await check(statusFor(forDoc(expected.sender, '2025-02-10')))).to.match(/không phải văn bản 000\.00\.00\.H15,2026\/11\/28,12\/KH-UBND/);
  });

  it('refuses a status 01 for another sender\'s document with the same number/notation', async () => {
    expect(await check(statusFor(forDoc('000.00.77.H15', '2024-06-01')))).to.match(/không phải văn bản/);
  });

  it('without a DocumentId: sender, number/notation and promulgation date must all match', async () => {
    expect(await check(statusFor(forDoc(expected.sender, expected.issuedOn, false)))).to.equal(null);
    expect(await check(statusFor(forDoc(expected.sender, '2025-02-10', false)))).to.match(/không có DocumentId/);
    expect(await check(statusFor(forDoc('000.00.77.H15', expected.issuedOn, false)))).to.match(/không có DocumentId/);
    expect(await check(statusFor({ organId: expected.sender, code: '12/KH-UBND', promulgationDate: null, documentId: null }))).to.match(/không có DocumentId/);
    expect(await check(statusFor({ ...forDoc(expected.sender, expected.issuedOn, false), code: '13/KH-UBND' }))).to.match(/không có DocumentId/);
  });

  it('a document that arrived by edXML is answered for under its sender\'s own DocumentId', async () => {
    const kept = '000.00.00.H15,2026/11/28,0012/KH-UBND';
    const e = { ...expected, idempotencyKey: `edxml:${kept}` };
    expect(await check(statusFor({ ...forDoc(expected.sender, expected.issuedOn), documentId: kept }), e)).to.equal(null);
    expect(await check(statusFor({ ...forDoc(expected.sender, expected.issuedOn), documentId: '000.00.00.H15,2025/11/28,0012/KH-UBND' }), e)).to.match(/không phải văn bản/);
  });
});
