import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pdfCommand } from '../../../services/cli/commands/pdf.command';
import { pkiCommand } from '../../../services/cli/commands/pki.command';
import { currentCertificate } from '../../../services/domain/pki/agency-certificate.repository';
import { issueDevCertificate } from '../../../services/domain/pki/dev-pki';
import { assertIncomingSignaturesValid, checkIncomingSignatures, IncomingSignatureError } from '../../../services/domain/pki/incoming-signatures';
import { issueAgencyCertificate } from '../../../services/pki/dev-ca';
import { buildCrl } from '../../../services/pki/revocation/crl';
import { readCertificateFields } from '../../../services/asn1/cert-fields';
import { decodeAt } from '../../../services/asn1/der';
import { X509Certificate } from 'node:crypto';
import { openPrivateKey } from '../../../services/pki/key-envelope';
import { parseSignedData } from '../../../services/signing/cms-parser';
import { loadSigningIdentity, signPdf, SigningIdentity } from '../../../services/signing/pades-signer';
import { findSignatures } from '../../../services/signing/pades-verifier';
import { startDevTsa } from '../../../services/domain/pki/dev-tsa';
import { testEnv } from '../../support/test-env';
import { AGENCY, lastByteRange, makePki, onePagePdf, TempDir } from '../../unit/signing/signing-fixtures';
import { newAgency, testCli, TestCli } from './pki-fixtures';

// The development certificates name the gateway's CRL and OCSP URLs; no gateway runs in this
// suite, so revocation is unknown unless soft-fail is on (dev-ca-revocation.test.ts runs one).
const SOFT = { LIENTHONG_REVOCATION_SOFT_FAIL: '1' };

describe('lienthong pdf verify, and the intake check of PDFs that arrive signed', () => {
  const dir = new TempDir();
  let cli: TestCli;
  let devIdentity: SigningIdentity;
  let devSigned: Buffer;
  const masterKey = (): Buffer => Buffer.from(testEnv().masterKeyHex, 'hex');

  before(async () => {
    cli = testCli();
    const agency = await newAgency(cli.db);
    await issueDevCertificate(cli.db, masterKey(), true, agency, 'ec');
    const stored = (await currentCertificate(cli.db, agency.code))!;
    devIdentity = loadSigningIdentity(openPrivateKey(stored.keySealed, masterKey()), stored.certPem, stored.chainPem);
    devSigned = await signPdf(await onePagePdf(), devIdentity, { signingTime: new Date(), reason: 'Ký ban hành' });
  });
  after(async () => {
    await cli.close();
    dir.remove();
  });

  it('when the signer chains to the development CA, then it exits 0 (passed) and the JSON says signed, ok and trusted', async () => {
    const r = await cli.run(pdfCommand, ['verify', dir.file('dev.pdf', devSigned)], SOFT);
    expect(r.code).to.equal(0);
    expect(r.value).to.include({ signed: true, indication: 'passed', ok: true, trusted: true, broken: 0 });
    expect(r.value.signatures[0]).to.include({ digestMatches: true, signatureValid: true, chainTrusted: true, timestamp: null });
    expect(r.human).to.contain('RESULT: PASSED').and.to.contain('timestamp: none (PAdES B-B)');
  });

  it('when no revocation information is reachable and soft-fail is off, then it exits 2 (indeterminate) saying so', async () => {
    const r = await cli.run(pdfCommand, ['verify', dir.file('dev-nrev.pdf', devSigned)]);
    expect(r.code).to.equal(2);
    expect(r.value.signatures[0].verdict).to.include({ indication: 'indeterminate', reason: 'NO_REVOCATION_INFO' });
    expect(r.value.problem).to.contain('không có thông tin thu hồi');
  });

  it('when the PDF is signed B-T by the development TSA, then the human report shows the timestamp, valid and trusted', async () => {
    const tsa = await startDevTsa(cli.db, masterKey(), true);
    try {
      const signed = await signPdf(await onePagePdf(), devIdentity, { signingTime: new Date(), timestamp: { url: tsa.url } });
      const r = await cli.run(pdfCommand, ['verify', dir.file('bt.pdf', signed)], SOFT);
      expect(r.code).to.equal(0);
      expect(r.value.signatures[0].validationTimeSource).to.equal('timestamp');
      expect(r.human).to.match(/timestamp: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00 by Liên Thông Development TSA \(not for production\) — valid, trusted/);
    } finally {
      tsa.server.closeAllConnections();
      tsa.server.close();
    }
  });

  it('when the root is not trusted, then it exits 2 (indeterminate) saying so; trusting it by `pki trust add` or LIENTHONG_TRUST_STORE makes it pass; `pki trust remove` undoes it', async () => {
    const foreign = makePki('rsa');
    const identity = loadSigningIdentity(foreign.agency.keyPem, foreign.agency.certPem, [foreign.ca.certPem]);
    const file = dir.file('foreign.pdf', await signPdf(await onePagePdf(), identity, { signingTime: new Date() }));
    const before = await cli.run(pdfCommand, ['verify', file], SOFT);
    expect(before.code).to.equal(2);
    expect(before.value).to.include({ signed: true, ok: true, trusted: false, indication: 'indeterminate' });
    expect(before.value.signatures[0].verdict.reason).to.equal('NO_CERTIFICATE_CHAIN_FOUND');
    expect(before.value.problem).to.contain('không dẫn tới một chứng thư gốc được tin cậy');
    expect(before.human).to.contain('RESULT: INDETERMINATE');

    const store = join(dir.path, 'trust-store');
    mkdirSync(store);
    dir.file('trust-store/foreign-root.pem', foreign.ca.certPem);
    expect((await cli.run(pdfCommand, ['verify', file], { ...SOFT, LIENTHONG_TRUST_STORE: store })).code).to.equal(0);

    // trusted for timestamps only, the root does not vouch for signers
    const tsaOnly = await cli.run(pkiCommand, ['trust', 'add', dir.file('foreign-root.pem', foreign.ca.certPem), '--purpose', 'tsa']);
    expect(tsaOnly.value).to.include({ added: true, purpose: 'tsa' });
    expect((await cli.run(pdfCommand, ['verify', file], SOFT)).code).to.equal(2);
    const listed = (await cli.run(pkiCommand, ['trust', 'list'])).value as { id: string; purpose: string; subject: string }[];
    expect(listed.find((a) => a.id === tsaOnly.value.id)).to.include({ purpose: 'tsa' });
    // added again for signing: the one anchor now serves both
    expect((await cli.run(pkiCommand, ['trust', 'add', dir.file('foreign-root.pem', foreign.ca.certPem)])).value).to.include({ added: false });
    expect(((await cli.run(pkiCommand, ['trust', 'list'])).value as { id: string; purpose: string }[]).find((a) => a.id === tsaOnly.value.id)).to.include({ purpose: 'both' });
    expect((await cli.run(pdfCommand, ['verify', file], SOFT)).code).to.equal(0);
    expect((await cli.run(pkiCommand, ['trust', 'remove', tsaOnly.value.id])).value).to.include({ removed: true });
    expect((await cli.run(pdfCommand, ['verify', file], SOFT)).code).to.equal(2);
  });

  it('when the operator imports a CRL that lists the signer, then pdf verify exits 1 (failed, REVOKED)', async () => {
    const pki = makePki('rsa');
    const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
    const file = dir.file('crl-revoked.pdf', await signPdf(await onePagePdf(), identity, { signingTime: new Date() }));
    const store = join(dir.path, 'store-crl');
    mkdirSync(store);
    dir.file('store-crl/root.pem', pki.ca.certPem);
    expect((await cli.run(pdfCommand, ['verify', file], { LIENTHONG_TRUST_STORE: store })).code).to.equal(2); // no revocation information yet
    const serial = decodeAt(readCertificateFields(new X509Certificate(pki.agency.certPem).raw).serial).content;
    const crl = buildCrl(pki.ca, [{ serial, revokedAt: new Date(Date.now() - 60_000) }], new Date(Date.now() - 60_000), new Date(Date.now() + 86_400_000), 7);
    const imported = await cli.run(pkiCommand, ['crl', 'import', dir.file('ca.crl', `-----BEGIN X509 CRL-----\n${crl.toString('base64')}\n-----END X509 CRL-----\n`)]);
    expect(imported.value).to.include({ revoked: 1 });
    const r = await cli.run(pdfCommand, ['verify', file], { LIENTHONG_TRUST_STORE: store });
    expect(r.code).to.equal(1);
    expect(r.value.signatures[0].verdict).to.include({ indication: 'failed', reason: 'REVOKED' });
    expect(r.value.signatures[0].revocation.source).to.equal('imported-crl');
  });

  it('when `pki trust add` is given a certificate that is not a CA, then it refuses', async () => {
    const err = await cli.run(pkiCommand, ['trust', 'add', dir.file('leaf.pem', makePki('ec').agency.certPem)]).catch((e: Error) => e);
    expect((err as Error).message).to.contain('is not a CA certificate');
  });

  it('when the certificate has expired and no timestamp proves the signature older, then it exits 2 (OUT_OF_BOUNDS_NO_POE)', async () => {
    const pki = makePki('ec');
    const expired = issueAgencyCertificate(pki.ca, AGENCY, { keyType: 'ec', notBefore: new Date(Date.now() - 10 * 86_400_000), validDays: 1 });
    // a foreign signer's software may sign with an expired certificate; ours refuses to
    const { notAfter: _ignored, ...identity } = loadSigningIdentity(expired.keyPem, expired.certPem, [pki.ca.certPem]);
    const store = join(dir.path, 'store-expired');
    mkdirSync(store);
    dir.file('store-expired/root.pem', pki.ca.certPem);
    const file = dir.file('expired.pdf', await signPdf(await onePagePdf(), identity, { signingTime: new Date() }));
    const r = await cli.run(pdfCommand, ['verify', file], { ...SOFT, LIENTHONG_TRUST_STORE: store });
    expect(r.code).to.equal(2);
    expect(r.value.signatures[0].verdict.reason).to.equal('OUT_OF_BOUNDS_NO_POE');
    expect(r.value.problem).to.match(/đã hết hạn tại thời điểm kiểm tra .*hiệu lực từ .* đến /);
  });

  it('when a signed byte was changed, then it exits 1 and the intake check refuses it with SIGNATURE_INVALID', async () => {
    const tampered = Buffer.from(devSigned);
    const at = Math.floor(lastByteRange(devSigned)[1] / 2);
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    const r = await cli.run(pdfCommand, ['verify', dir.file('tampered.pdf', tampered)]);
    expect(r.code).to.equal(1);
    expect(r.value).to.include({ ok: false, broken: 1, indication: 'failed' });
    expect(r.human).to.contain('RESULT: FAILED').and.to.contain('bytes intact: NO');

    const check = await checkIncomingSignatures(cli.db, tampered);
    let caught: unknown;
    try {
      assertIncomingSignaturesValid(check);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(IncomingSignatureError);
    expect((caught as IncomingSignatureError).code).to.equal('SIGNATURE_INVALID');
    expect((caught as Error).message).to.contain('nội dung đã ký bị thay đổi (mã băm không khớp)');
  });

  it('when the signature value itself was altered, then the intake check refuses it too', async () => {
    const { signer } = parseSignedData(findSignatures(devSigned)[0]!.contents);
    const hex = signer.signature.toString('hex');
    const text = devSigned.toString('latin1');
    const at = text.indexOf(hex) + hex.length - 1;
    expect(at).to.be.above(hex.length);
    const forged = Buffer.from(text.slice(0, at) + (text[at] === '0' ? '1' : '0') + text.slice(at + 1), 'latin1');
    const check = await checkIncomingSignatures(cli.db, forged);
    expect(check.signatures[0]).to.include({ digestMatches: true, signatureValid: false });
    expect(check.signatures[0]!.verdict.reason).to.equal('SIG_CRYPTO_FAILURE');
    expect(() => assertIncomingSignaturesValid(check)).to.throw(IncomingSignatureError, /giá trị chữ ký không đúng/);
  });

  it('when the PDF is unsigned or signed by an unknown root, then the intake check lets it through and pdf verify exits 2', async () => {
    const unsigned = await onePagePdf();
    const check = await checkIncomingSignatures(cli.db, unsigned);
    expect(check).to.include({ signed: false, ok: true, trusted: false, problem: 'the PDF carries no signature' });
    expect(() => assertIncomingSignaturesValid(check)).not.to.throw();
    const r = await cli.run(pdfCommand, ['verify', dir.file('unsigned.pdf', unsigned)]);
    expect(r.code).to.equal(2);
    expect(r.human).to.contain('RESULT: NOT SIGNED');

    const stranger = makePki('ec');
    const identity = loadSigningIdentity(stranger.agency.keyPem, stranger.agency.certPem);
    const untrusted = await checkIncomingSignatures(cli.db, await signPdf(await onePagePdf(), identity, { signingTime: new Date() }));
    expect(untrusted).to.include({ ok: true, trusted: false });
    expect(() => assertIncomingSignaturesValid(untrusted)).not.to.throw();
  });
});
