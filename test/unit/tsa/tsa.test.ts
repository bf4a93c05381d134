import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { requestTimestamp } from '../../../services/signing/tsa-client';
import { TimestampUnavailableError } from '../../../services/signing/tsa-errors';
import { readTimestampToken, verifyTimestampToken } from '../../../services/signing/timestamp-token';
import { run, TempDir } from '../signing/signing-fixtures';
import { deadUrl, RunningTsa, startSilentServer, startTsa } from './tsa-fixtures';
import { rejectionOf } from '../../support/rejection';


describe('when the development TSA timestamps a digest', () => {
  const dir = new TempDir();
  const data = Buffer.from('chữ ký số của cơ quan');
  const digest = createHash('sha256').update(data).digest();
  let tsa: RunningTsa;
  let token: Buffer;
  let requestedAt: number;

  before(async () => {
    tsa = await startTsa();
    requestedAt = Date.now();
    token = await requestTimestamp(tsa.url, digest);
  });
  after(async () => {
    await tsa.close();
    dir.remove();
  });

  it('then openssl ts -verify accepts the token for that digest against the CA', () => {
    const r = run('openssl', [
      'ts', '-verify', '-token_in', '-in', dir.file('token.der', token), '-digest', digest.toString('hex'),
      '-CAfile', dir.file('ca.pem', tsa.ca.certPem),
    ]);
    expect(r.stdout + r.stderr).to.contain('Verification: OK');
  });

  it('then openssl refuses the same token for another digest', () => {
    const other = createHash('sha256').update('other').digest('hex');
    const r = run('openssl', ['ts', '-verify', '-token_in', '-in', dir.file('token.der', token), '-digest', other, '-CAfile', dir.file('ca.pem', tsa.ca.certPem)]);
    expect(r.stdout + r.stderr).not.to.contain('Verification: OK');
  });

  it('then the TSA certificate has the critical timeStamping extended key usage', () => {
    const r = run('openssl', ['x509', '-noout', '-text'], { input: Buffer.from(tsa.tsa.certPem) });
    expect(r.stdout).to.match(/X509v3 Extended Key Usage: critical\s+Time Stamping/);
  });

  it('then our reader finds the time, the TSA name and the imprint', () => {
    const { tstInfo } = readTimestampToken(token);
    expect(tstInfo.imprint.equals(digest)).to.equal(true);
    expect(tstInfo.genTime.getTime()).to.be.within(requestedAt - 1000, Date.now() + 1000);
    expect(tstInfo.tsaName).to.equal('Liên Thông Development TSA (not for production)');
    const report = verifyTimestampToken(token, [data], [new X509Certificate(tsa.ca.certPem)]);
    expect(report).to.include({ valid: true, trusted: true, imprintMatches: true });
  });

  it('then a request made by openssl ts -query gets a reply openssl verifies', async () => {
    const dataFile = dir.file('data.bin', data);
    const query = dir.file('req.tsq');
    expect(run('openssl', ['ts', '-query', '-data', dataFile, '-sha256', '-cert', '-out', query]).status).to.equal(0);
    const res = await fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: readFileSync(query) });
    expect(res.headers.get('content-type')).to.equal('application/timestamp-reply');
    const reply = dir.file('reply.tsr', Buffer.from(await res.arrayBuffer()));
    const r = run('openssl', ['ts', '-verify', '-in', reply, '-queryfile', query, '-CAfile', dir.file('ca.pem', tsa.ca.certPem)]);
    expect(r.stdout + r.stderr).to.contain('Verification: OK');
  });

  it('then a request for another policy is refused with a TimestampUnavailableError naming the refusal', async () => {
    const err = await rejectionOf(requestTimestamp(tsa.url, digest, { policy: '1.2.3.4' }));
    expect(err).to.be.instanceOf(TimestampUnavailableError);
    expect(err.message).to.match(/refused \(status 2: this TSA only issues under policy/);
  });

  it('then anything but a POSTed timestamp query is answered with an HTTP error', async () => {
    expect((await fetch(tsa.url)).status).to.equal(405);
    expect((await fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).to.equal(415);
  });
});

describe('when the TSA cannot be reached', () => {
  const digest = createHash('sha256').update('x').digest();

  it('when nothing listens, then requestTimestamp fails with a retryable TimestampUnavailableError', async () => {
    const url = await deadUrl();
    const err = await rejectionOf(requestTimestamp(url, digest, { timeoutMs: 2000 }));
    expect(err).to.be.instanceOf(TimestampUnavailableError);
    expect((err as TimestampUnavailableError).retryable).to.equal(true);
    expect((err as TimestampUnavailableError).code).to.equal('TSA_UNAVAILABLE');
    expect(err.message).to.contain(url).and.to.match(/ECONNREFUSED|fetch failed/);
  });

  it('when the TSA never answers, then the request gives up after the timeout', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const err = await rejectionOf(requestTimestamp(silent.url, digest, { timeoutMs: 300 }));
      expect(err).to.be.instanceOf(TimestampUnavailableError);
      expect(err.message).to.contain('no answer within 300 ms');
      expect(Date.now() - started).to.be.below(3000);
    } finally {
      await silent.close();
    }
  });
});
