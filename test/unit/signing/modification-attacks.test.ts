import { expect } from 'chai';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readCertificateFields } from '../../../services/asn1/cert-fields';
import { boolean, sequence, unsignedInteger } from '../../../services/asn1/der';
import { OID } from '../../../services/asn1/oids';
import { buildCertificate, derToPem, encodeName, extension, KeyUsageBit, keyUsageValue, randomSerial } from '../../../services/pki/x509-builder';
import { PDFArray, PDFDict, PDFName, PDFRef } from 'pdf-lib';
import { createDevCa, issueAgencyCertificate, issueTsaCertificate, KeyAndCert } from '../../../services/pki/dev-ca';
import { SignatureReport, verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import {
  appendTableUpdate, appendXrefStreamUpdate, Body, buildPdf, buildPdfWithObjectStream, objectOffsets, pdftotext, simpleObjects, stream, tailOf, textContent,
} from '../../support/pdf-attack-builder';
import { appendUpdate, factsOf, handCms, pageWith, signWith, tsaAt } from './corpus-builders';
import { der, HandSignedCorpus } from './hand-signed-corpus';
import { certify, formPdf } from './docmdp-fixtures';
import { AGENCY } from './signing-fixtures';

// Incremental updates that change what a signed document shows without touching any byte it
// signed. Every file is built here, byte by byte (test/support/pdf-attack-builder.ts), signed with
// a hand-made CMS, then "updated" the way an attacker would. pdftotext shows that the forged text
// is what a viewer displays; the verifier must say MODIFIED_AFTER_SIGNING (default deny: a later
// revision may only do what DocMDP and the DSS rules allow, and anything else reachable from the
// catalogue that changed fails, named). The allowed updates (DSS, document timestamp, a second
// signature, the document information, annotations without certification, an unreachable object)
// still pass, and a large file still verifies in seconds.

const FORGED = 'FORGED TEXT';
const ORIGINAL = 'ORIGINAL TEXT';

describe('modification attacks: what a later revision may change (default deny)', function () {
  this.timeout(300_000);
  const corpus = new HandSignedCorpus('Attack Corpus Root CA', ORIGINAL);
  const { sign, verify, signedSimple } = corpus;

  /** The first signature fails MODIFIED_AFTER_SIGNING; one of its findings matches `message`. */
  async function expectModified(pdf: Buffer, message?: RegExp): Promise<SignatureReport> {
    const [report, ...rest] = await verify(pdf);
    expect(report, 'one signature').to.not.equal(undefined);
    expect(rest).to.have.length(0);
    expect(report!.verdict.indication, report!.verdict.message).to.equal('failed');
    expect(report!.verdict.reason).to.equal('MODIFIED_AFTER_SIGNING');
    if (message) expect(report!.verdict.findings.map((f) => f.message).join('\n')).to.match(message);
    return report!;
  }
  /** Every signature passes. */
  async function expectPassed(pdf: Buffer, count = 1): Promise<SignatureReport[]> {
    const reports = await verify(pdf);
    expect(reports).to.have.length(count);
    for (const r of reports) expect(r.verdict.indication, r.verdict.message).to.equal('passed');
    return reports;
  }
  /** The attack is real: a viewer shows the forged text, not the signed one. */
  const expectViewerShowsForgery = (pdf: Buffer): void => {
    const text = pdftotext(pdf);
    expect(text).to.include(FORGED);
    expect(text).to.not.include(ORIGINAL);
  };

  before(() => {
    corpus.setUp();
  });

  describe('class 1: the trailer names another catalogue', () => {
    it('when an update points /Root at a new catalogue, page tree and content, then it fails naming /Root', async () => {
      const signed = await signedSimple();
      const { size } = tailOf(signed);
      const forged = appendTableUpdate(signed, new Map([
        [size, `<< /Type /Catalog /Pages ${size + 1} 0 R >>`],
        [size + 1, `<< /Type /Pages /Kids [${size + 2} 0 R] /Count 1 >>`],
        [size + 2, `<< /Type /Page /Parent ${size + 1} 0 R /MediaBox [0 0 595 842] /Contents ${size + 3} 0 R /Resources << /Font << /F1 5 0 R >> >> >>`],
        [size + 3, textContent(FORGED)],
      ]), { root: size });
      expectViewerShowsForgery(forged);
      const r = await expectModified(forged, /\/Root/);
      expect(r.changes.some((c) => c.entry === 'Root' && !c.allowed)).to.equal(true);
    });
  });

  describe('class 2: the cross-reference chain does not reach the signed revision', () => {
    it('when an update lists every object and has no /Prev, then it fails instead of passing "revision 0 of 1"', async () => {
      const signed = await signedSimple();
      const { size, root } = tailOf(signed);
      const relist = objectOffsets(signed);
      relist.delete(4);
      const forged = appendTableUpdate(signed, new Map([[4, textContent(FORGED)]]), { root, prev: null, relist });
      expect(tailOf(forged).size).to.equal(size);
      expectViewerShowsForgery(forged);
      const r = await expectModified(forged, /xref/);
      expect(r.changes.some((c) => c.entry === 'xref' && !c.allowed)).to.equal(true);
    });

    it('when an update\'s /Prev skips the signed revision for the one before it, then it fails', async () => {
      const unsigned = buildPdf(simpleObjects(ORIGINAL), { root: 1 });
      const signed = await sign(unsigned);
      const { root } = tailOf(signed);
      const forged = appendTableUpdate(signed, new Map([[4, textContent(FORGED)]]), { root, prev: tailOf(unsigned).startxref });
      expectViewerShowsForgery(forged);
      await expectModified(forged, /xref/);
    });
  });

  describe('class 3: a replacement calls itself an object or xref stream', () => {
    for (const type of ['ObjStm', 'XRef']) {
      it(`when the page content is replaced by a stream whose dictionary says /Type /${type}, then it fails`, async () => {
        const signed = await signedSimple();
        const { root } = tailOf(signed);
        const data = `BT /F1 24 Tf 72 700 Td (${FORGED}) Tj ET`;
        const forged = appendTableUpdate(signed, new Map([[4, stream(`/Type /${type} /N 0 /First 0 /Size 1 /W [1 1 1]`, data)]]), { root });
        expectViewerShowsForgery(forged);
        await expectModified(forged, /Trang 1: nội dung bị thay đổi/);
      });
    }
  });

  describe('class 4: an object stream of the signed revision rewritten under its number', () => {
    for (const listMembers of [false, true]) {
      it(`when the stream holding the page tree is rewritten (members ${listMembers ? 'listed again' : 'not listed'}), then it fails`, async () => {
        const objects = new Map<number, Body>([
          [1, '<< /Type /Catalog /Pages 2 0 R >>'],
          [4, textContent(ORIGINAL)],
          [5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
        ]);
        const members = new Map([
          [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
          [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>'],
        ]);
        const signed = await sign(buildPdfWithObjectStream(objects, { number: 6, members, listMembers: true }, 1));
        expect(pdftotext(signed)).to.include(ORIGINAL);
        const { size, root } = tailOf(signed);
        const forged = appendXrefStreamUpdate(signed, new Map([
          [size, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${size + 1} 0 R /Resources << /Font << /F1 5 0 R >> >> >>`],
          [size + 1, textContent(FORGED)],
        ]), { root, objectStream: { number: 6, listMembers, members: new Map([[2, `<< /Type /Pages /Kids [${size} 0 R] /Count 1 >>`], [3, members.get(3)!]]) } });
        expectViewerShowsForgery(forged);
        await expectModified(forged, /trang/i);
      });
    }
  });

  describe('class 4b: an object stream that lists one number twice', () => {
    it('when a new object stream holds a forged page first and the signed page second, then the xref index decides and it fails', async () => {
      const signed = await signedSimple();
      const { size, root } = tailOf(signed);
      const at = objectOffsets(signed).get(3)!;
      const signedPage = signed.toString('latin1', at, signed.indexOf('endobj', at, 'latin1')).replace(/^3 0 obj\s*/, '').trim();
      const forgedPage = signedPage.replace('/Contents 4 0 R', `/Contents ${size + 1} 0 R`);
      expect(forgedPage).to.not.equal(signedPage);
      const forged = appendXrefStreamUpdate(signed, new Map([[size + 1, textContent(FORGED)]]), {
        root, objectStream: { number: size, listMembers: true, members: [[3, forgedPage], [3, signedPage]] },
      });
      expectViewerShowsForgery(forged);
      await expectModified(forged, /Trang 1: nội dung bị thay đổi/);
    });
  });

  describe('class 5: objects the page tree or an annotation reaches indirectly', () => {
    it('when a form XObject inherited from the /Pages node\'s /Resources is replaced, then it fails', async () => {
      const form = (text: string): string => stream('/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>', `BT /F1 24 Tf 72 700 Td (${text}) Tj ET`);
      const signed = await signedSimple({
        2: '<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources << /XObject << /X1 7 0 R >> >> >>',
        3: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
        4: stream('', 'q /X1 Do Q'),
        7: form(ORIGINAL),
      });
      expect(pdftotext(signed)).to.include(ORIGINAL);
      const forged = appendTableUpdate(signed, new Map([[7, form(FORGED)]]), { root: tailOf(signed).root });
      expectViewerShowsForgery(forged);
      await expectModified(forged, /tài nguyên trang/i);
    });

    it('when an indirect /MediaBox is changed, then it fails naming the object and the key', async () => {
      const signed = await signedSimple({
        3: '<< /Type /Page /Parent 2 0 R /MediaBox 8 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        8: '[0 0 595 842]',
      });
      const forged = appendTableUpdate(signed, new Map([[8, '[0 0 595 300]']]), { root: tailOf(signed).root });
      const r = await expectModified(forged, /\/MediaBox.*đối tượng 8/);
      expect(r.changes.find((c) => c.objectNumber === 8)?.allowed).to.equal(false);
    });

    const linkAction = async (certified: boolean): Promise<{ pdf: Buffer; action: number }> => {
      const base = await formPdf(certified, (doc, page) => {
        const ctx = doc.context;
        const action = ctx.register(ctx.obj({ S: 'URI', URI: 'https://dichvucong.gov.vn' }));
        const annot = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Link', Rect: [72, 500, 300, 520], Border: [0, 0, 0], A: action }));
        page.node.set(PDFName.of('Annots'), ctx.obj([annot]));
      });
      const cms = corpus.cms;
      const pdf = certified ? await certify(base, 1, cms) : await signWith(base, cms);
      const f = await factsOf(pdf);
      const found = f.doc.context.enumerateIndirectObjects().find(([, o]) => o instanceof PDFDict && o.get(PDFName.of('S'))?.toString() === '/URI');
      if (!found) throw new Error('no URI action');
      return { pdf, action: found[0].objectNumber };
    };
    it('when a link annotation\'s indirect /A action is redirected under a P=1 certification, then it fails (DocMDP)', async () => {
      const { pdf, action } = await linkAction(true);
      const forged = appendUpdate(pdf, await factsOf(pdf), new Map([[action, '<< /S /URI /URI (https://attacker.example/login) >>']]));
      const r = await expectModified(forged, /chú thích.*DocMDP P=1/);
      expect(r.changes.find((c) => c.objectNumber === action)?.forbiddenByDocMdp).to.equal(1);
    });
    it('when the same action changes without a certification signature, then it is an allowed annotation change', async () => {
      const { pdf, action } = await linkAction(false);
      const changed = appendUpdate(pdf, await factsOf(pdf), new Map([[action, '<< /S /URI /URI (https://dichvucong.gov.vn/moi) >>']]));
      const [r] = await expectPassed(changed);
      expect(r!.changes.find((c) => c.objectNumber === action)?.kind).to.equal('annotation');
    });
  });

  describe('class 6: an object keeps its strongest role', () => {
    it('when the trailer\'s /Info names the page content stream and that stream is replaced, then it fails as page content', async () => {
      const signed = await signedSimple({}, { info: 4 });
      const t = tailOf(signed);
      expect(t.info).to.equal(4);
      const forged = appendTableUpdate(signed, new Map([[4, textContent(FORGED)]]), { root: t.root, info: 4 });
      expectViewerShowsForgery(forged);
      await expectModified(forged, /Trang 1: nội dung bị thay đổi/);
    });
    it('when a later revision frees the page content stream, then it fails', async () => {
      const signed = await signedSimple();
      const forged = appendTableUpdate(signed, new Map([[4, null]]), { root: tailOf(signed).root });
      await expectModified(forged, /Trang 1: nội dung bị thay đổi/);
    });
  });

  describe('class 8: a signature whose /Contents cannot be read', () => {
    const breakContents = (pdf: Buffer): Buffer => {
      const out = Buffer.from(pdf);
      const at = out.indexOf('/Contents <', 0, 'latin1');
      const close = out.indexOf('>', at, 'latin1');
      out.write('G', close - 1, 'latin1'); // the last digit of the zero padding
      return out;
    };
    it('when one padding digit is not hex, then the signature is reported unreadable (FORMAT_FAILURE), not absent', async () => {
      const broken = breakContents(await signedSimple());
      const reports = await verify(broken);
      expect(reports).to.have.length(1);
      expect(reports[0]!.verdict.reason).to.equal('FORMAT_FAILURE');
      expect(reports[0]!.unreadable).to.match(/hex/);
    });
    it('when the content is also forged in a later revision, then the file is still not taken for an unsigned one', async () => {
      const signed = await signedSimple();
      const forged = breakContents(appendTableUpdate(signed, new Map([[4, textContent(FORGED)]]), { root: tailOf(signed).root }));
      expectViewerShowsForgery(forged);
      const reports = await verify(forged);
      expect(reports).to.have.length(1);
      expect(reports[0]!.verdict.indication).to.not.equal('passed');
      expect(reports[0]!.verdict.reason).to.equal('FORMAT_FAILURE');
    });
  });

  describe('what stays allowed (and a few forbidden updates that already failed)', () => {
    it('when the page content is replaced in a plain table update, then it fails', async () => {
      const signed = await signedSimple();
      const forged = appendTableUpdate(signed, new Map([[4, textContent(FORGED)]]), { root: tailOf(signed).root });
      expectViewerShowsForgery(forged);
      await expectModified(forged, /Trang 1: nội dung bị thay đổi/);
    });
    it('when the page tree moves into a new object stream, then it fails', async () => {
      const signed = await signedSimple();
      const { size, root } = tailOf(signed);
      const forged = appendXrefStreamUpdate(signed, new Map([[size + 1, textContent(FORGED)]]), {
        root,
        objectStream: { number: size, listMembers: true, members: new Map([[2, `<< /Type /Pages /Kids [${size + 2} 0 R] /Count 1 >>`], [size + 2, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${size + 1} 0 R /Resources << /Font << /F1 5 0 R >> >> >>`]]) },
      });
      expectViewerShowsForgery(forged);
      await expectModified(forged);
    });
    it('when a DSS is added (catalogue /DSS, certificates), then it passes', async () => {
      const signed = await signedSimple();
      const f = await factsOf(signed);
      const catalog = f.doc.catalog.clone(f.doc.context);
      const { size } = tailOf(signed);
      catalog.set(PDFName.of('DSS'), PDFRef.of(size));
      const updated = appendUpdate(signed, f, new Map<number, string>([
        [f.rootRef.objectNumber, catalog.toString()],
        [size, `<< /Certs [${size + 1} 0 R] >>`],
        [size + 1, stream('', der(corpus.ca.certPem).toString('latin1'))],
      ]));
      const [r] = await expectPassed(updated);
      expect(r!.changes.some((c) => c.kind === 'dss' && c.allowed)).to.equal(true);
    });
    it('when the document information changes, or an unreachable object is rewritten, then it passes', async () => {
      const signed = await signedSimple({ 6: '<< /Title (Van ban) >>', 9: '<< /Orphan true >>' }, { info: 6 });
      const t = tailOf(signed);
      const updated = appendTableUpdate(signed, new Map([[6, '<< /Title (Van ban da sua) >>'], [9, textContent(FORGED)]]), { root: t.root, info: 6 });
      expect(pdftotext(updated)).to.include(ORIGINAL);
      await expectPassed(updated);
    });
    it('when a FreeText annotation is added without a certification signature, then it passes', async () => {
      const signed = await signedSimple();
      const f = await factsOf(signed);
      const { size } = tailOf(signed);
      const updated = appendUpdate(signed, f, new Map([
        [size, '<< /Type /Annot /Subtype /FreeText /Rect [72 400 300 420] /Contents (Ghi chu) /DA (/Helv 12 Tf 0 g) >>'],
        [f.pageRefs[0]!.objectNumber, pageWith(f, 0, (page) => {
          const annots = page.lookup(PDFName.of('Annots'));
          const list = annots instanceof PDFArray ? annots.clone() : f.doc.context.obj([]);
          list.push(PDFRef.of(size));
          page.set(PDFName.of('Annots'), list);
        })],
      ]));
      const [r] = await expectPassed(updated);
      expect(r!.changes.some((c) => c.kind === 'annotation' && c.allowed)).to.equal(true);
    });
    it('when a second signature and then a document timestamp are added, then every signature passes', async () => {
      const tsa = issueTsaCertificate(corpus.ca, {});
      const once = await signedSimple();
      const twice = await sign(once);
      const stamp = tsaAt(tsa, () => new Date());
      const stamped = await signWith(twice, (s) => stamp.token(s), { docTimestamp: true });
      await expectPassed(stamped, 3);
    });
    it('when the last page of a 3000-page file has its content replaced, then it fails in seconds, naming page 3000', async () => {
      const pages = 3000;
      const objects = new Map<number, Body>([[1, '<< /Type /Catalog /Pages 2 0 R >>'], [5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']]);
      const kids: string[] = [];
      for (let i = 0; i < pages; i++) {
        const page = 10 + 2 * i;
        kids.push(`${page} 0 R`);
        objects.set(page, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${page + 1} 0 R /Resources << /Font << /F1 5 0 R >> >> >>`);
        objects.set(page + 1, textContent(`Trang ${i + 1}`));
      }
      objects.set(2, `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`);
      const signed = await sign(buildPdf(objects, { root: 1 }));
      const { size, root } = tailOf(signed);
      const forged = appendTableUpdate(signed, new Map([[10 + 2 * 2999 + 1, textContent(FORGED)], [size, '<< /Orphan true >>']]), { root });
      const started = Date.now();
      const r = await expectModified(forged, /Trang 3000: nội dung bị thay đổi/);
      const elapsed = Date.now() - started;
      expect(r.revisions).to.equal(3);
      expect(elapsed, `${elapsed} ms`).to.be.below(15_000);
    });
  });
});

// Class 7: the certificate path. Certificates are issued here (EC P-256 keys, quick to make) with
// exactly the KeyUsage and basicConstraints each case needs; the signer's KeyUsage must allow
// digitalSignature or nonRepudiation, every issuer's keyCertSign, and pathLenConstraint limits
// the intermediate CAs below a CA (RFC 5280 §4.2.1.3, §4.2.1.9, §6.1.4).
describe('certificate path constraints: KeyUsage and pathLenConstraint', function () {
  this.timeout(120_000);
  const KEY_ENCIPHERMENT = 2;
  interface Issued extends KeyAndCert { name: string }
  const issue = (name: string, issuer: Issued | null, opts: { ca: boolean; pathLen?: number; keyUsage?: number[] }): Issued => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const subject = encodeName([{ type: OID.countryName, value: 'VN' }, { type: OID.commonName, value: name }]);
    const bc = opts.ca ? sequence(boolean(true), ...(opts.pathLen !== undefined ? [unsignedInteger(opts.pathLen)] : [])) : sequence();
    const now = Date.now();
    const certDer = buildCertificate({
      serial: randomSerial(),
      issuer: issuer ? readCertificateFields(der(issuer.certPem)).subject : subject,
      subject,
      notBefore: new Date(now - 3_600_000),
      notAfter: new Date(now + 365 * 86_400_000),
      subjectPublicKeyInfo: publicKey.export({ type: 'spki', format: 'der' }),
      extensions: [
        extension(OID.basicConstraints, true, bc),
        ...(opts.keyUsage ? [extension(OID.keyUsage, true, keyUsageValue(opts.keyUsage))] : []),
      ],
    }, issuer ? createPrivateKey(issuer.keyPem) : privateKey);
    return { name, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: derToPem(certDer, 'CERTIFICATE') };
  };
  const CA_USAGE = [KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign];
  const SIGNING = [KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation];
  let root: Issued;
  let intermediate: Issued;
  before(() => {
    root = issue('Constraint Root CA', null, { ca: true, keyUsage: CA_USAGE });
    intermediate = issue('Constraint Intermediate CA', root, { ca: true, pathLen: 0, keyUsage: CA_USAGE });
  });
  const signedBy = async (who: KeyAndCert, chain: KeyAndCert[]): Promise<SignatureReport> => {
    const pdf = await signWith(buildPdf(simpleObjects(ORIGINAL), { root: 1 }), (s) => handCms(s, who, chain.map((c) => c.certPem), { digest: 'sha256' }));
    const [report] = await verifyPdfSignatures(pdf, [der(root.certPem)], { softFail: true });
    expect(report!.digestMatches && report!.signatureValid, 'the signature itself is intact').to.equal(true);
    return report!;
  };
  const expectRefused = (r: SignatureReport, message: RegExp): void => {
    expect(r.verdict.indication, r.verdict.message).to.not.equal('passed');
    expect(r.verdict.reason).to.equal('NO_CERTIFICATE_CHAIN_FOUND');
    expect(r.chainTrusted).to.equal(false);
    expect(r.verdict.message).to.match(message);
  };

  it('when the path is root → intermediate (pathLen 0) → signer with digitalSignature, then it passes', async () => {
    const r = await signedBy(issue('Good signer', intermediate, { ca: false, keyUsage: SIGNING }), [intermediate]);
    expect(r.verdict.indication, r.verdict.message).to.equal('passed');
    expect(r.chainTrusted).to.equal(true);
  });
  it('when the signer has no KeyUsage extension at all, then it passes (nothing restricts the key)', async () => {
    const r = await signedBy(issue('Unrestricted signer', intermediate, { ca: false }), [intermediate]);
    expect(r.verdict.indication, r.verdict.message).to.equal('passed');
  });
  it('when the signer\'s KeyUsage is keyEncipherment only, then it is refused', async () => {
    expectRefused(await signedBy(issue('Encipherment only', intermediate, { ca: false, keyUsage: [KEY_ENCIPHERMENT] }), [intermediate]), /KeyUsage.*digitalSignature/);
  });
  it('when the root CA\'s own key (keyCertSign, cRLSign) signs the PDF, then it is refused', async () => {
    expectRefused(await signedBy(root, []), /Constraint Root CA.*không được phép dùng để ký/);
  });
  it('when the intermediate CA\'s key signs the PDF, then it is refused', async () => {
    expectRefused(await signedBy(intermediate, []), /Constraint Intermediate CA.*không được phép dùng để ký/);
  });
  it('when an issuer lacks keyCertSign, then the path is refused', async () => {
    const notIssuer = issue('Not an issuer CA', root, { ca: true, keyUsage: [KeyUsageBit.digitalSignature] });
    // node's checkIssued (OpenSSL) already refuses such an issuer while building the path; pathConstraintViolation checks it again
    expectRefused(await signedBy(issue('Signer under it', notIssuer, { ca: false, keyUsage: SIGNING }), [notIssuer]), /keyCertSign|không dẫn tới một chứng thư gốc/);
  });
  it('when an RSA-PSS key\'s signature is labelled RSA PKCS#1 v1.5, then it is refused; labelled RSASSA-PSS, it passes as RSA-PSS', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const subject = encodeName([{ type: OID.countryName, value: 'VN' }, { type: OID.commonName, value: 'PSS key signer' }]);
    const certDer = buildCertificate({
      serial: randomSerial(), issuer: readCertificateFields(der(intermediate.certPem)).subject, subject,
      notBefore: new Date(Date.now() - 3_600_000), notAfter: new Date(Date.now() + 86_400_000),
      subjectPublicKeyInfo: publicKey.export({ type: 'spki', format: 'der' }),
      extensions: [extension(OID.basicConstraints, true, sequence()), extension(OID.keyUsage, true, keyUsageValue(SIGNING))],
    }, createPrivateKey(intermediate.keyPem));
    const pssSigner: KeyAndCert = { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: derToPem(certDer, 'CERTIFICATE') };
    const sign = async (pss: boolean): Promise<SignatureReport> => {
      const pdf = await signWith(buildPdf(simpleObjects(ORIGINAL), { root: 1 }), (s) => handCms(s, pssSigner, [intermediate.certPem], { digest: 'sha256', pss }));
      return (await verifyPdfSignatures(pdf, [der(root.certPem)], { softFail: true }))[0]!;
    };
    const mislabelled = await sign(false);
    expect(mislabelled.verdict.indication).to.equal('failed');
    expect(mislabelled.verdict.reason).to.equal('SIG_CRYPTO_FAILURE');
    const labelled = await sign(true);
    expect(labelled.verdict.indication, labelled.verdict.message).to.equal('passed');
    expect(labelled.algorithm).to.equal('RSA-PSS/SHA-256');
  });
  it('when a CA with pathLenConstraint 0 has another CA below it, then the path is refused', async () => {
    const sub = issue('Sub CA', intermediate, { ca: true, keyUsage: CA_USAGE });
    expectRefused(await signedBy(issue('Signer under Sub CA', sub, { ca: false, keyUsage: SIGNING }), [sub, intermediate]), /pathLenConstraint/);
  });
});
