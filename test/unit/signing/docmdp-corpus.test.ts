import { expect } from 'chai';
import { PDFDict, PDFDocument, PDFName, PDFRef } from 'pdf-lib';
import { createDevCa, issueAgencyCertificate, issueTsaCertificate, KeyAndCert } from '../../../services/pki/dev-ca';
import { loadSigningIdentity, signPdf } from '../../../services/signing/pades-signer';
import { SignatureReport, verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import { appendUpdate, factsOf, handCms, pageWith, PDFArray, signWith, streamBody, tsaAt, X509Certificate } from './corpus-builders';
import { certify, formPdf } from './docmdp-fixtures';
import { AGENCY } from './signing-fixtures';

// DocMDP (ISO 32000-1 §12.8.2.2, ETSI EN 319 142-1 §5.4): a certification signature's /P decides
// which later revisions are allowed — P=1 none (but DSS and document timestamps), P=2 form filling
// and signing, P=3 also annotations; with no certification signature, form filling, signing and
// annotations are allowed. Page content is never. Every PDF is built here: pdf-lib writes a form
// whose catalogue names the certification signature in /Perms, the project's placeholder adds the
// signature field, and a /Reference with the DocMDP transform is written into its dictionary
// before the hand-made CMS signs the byte ranges.

const der = (pem: string): Buffer => new X509Certificate(pem).raw;

describe('issue 15 DocMDP: what a certification signature allows after it', function () {
  this.timeout(180_000);
  let ca: KeyAndCert;
  let good: KeyAndCert;
  let tsa: KeyAndCert;
  const table: string[] = [];
  const verify = async (name: string, pdf: Buffer): Promise<SignatureReport[]> => {
    const reports = await verifyPdfSignatures(pdf, [der(ca.certPem)], { softFail: true });
    table.push(`    ${name.padEnd(52)} ${reports.map((r) => `${r.verdict.indication}${r.verdict.reason ? ` ${r.verdict.reason}` : ''}`).join(' | ')}`);
    return reports;
  };

  before(() => {
    ca = createDevCa({ commonName: 'DocMDP Root CA' });
    good = issueAgencyCertificate(ca, AGENCY);
    tsa = issueTsaCertificate(ca, {});
  });
  after(() => process.stdout.write(`\n  DocMDP table (case → verdict per signature):\n${table.join('\n')}\n`));

  const signed = async (p: 1 | 2 | 3 | null): Promise<Buffer> => {
    const base = await formPdf(p !== null);
    const cms = (s: Buffer) => handCms(s, good, [ca.certPem], { digest: 'sha256' });
    return p === null ? signWith(base, cms) : certify(base, p, cms);
  };

  // the later revisions, each written on top of a signed file
  const withAnnotation = async (pdf: Buffer): Promise<Buffer> => {
    const f = await factsOf(pdf);
    const n = f.size;
    return appendUpdate(pdf, f, new Map([
      [n, '<< /Type /Annot /Subtype /Text /Rect [100 100 120 120] /Contents (Ghi chu) >>'],
      [f.pageRefs[0]!.objectNumber, pageWith(f, 0, (page) => {
        const annots = page.lookup(PDFName.of('Annots'));
        const list = annots instanceof PDFArray ? annots.clone() : f.doc.context.obj([]);
        list.push(PDFRef.of(n));
        page.set(PDFName.of('Annots'), list);
      })],
    ]));
  };
  const withFieldFilled = async (pdf: Buffer): Promise<Buffer> => {
    const f = await factsOf(pdf);
    const field = f.doc.getForm().getTextField('hoten');
    const dict = field.acroField.dict.clone(f.doc.context);
    dict.set(PDFName.of('V'), f.doc.context.obj('Nguyen Van A'));
    return appendUpdate(pdf, f, new Map([[field.ref.objectNumber, dict.toString()]]));
  };
  const withSecondSignature = (pdf: Buffer): Promise<Buffer> =>
    signPdf(pdf, loadSigningIdentity(good.keyPem, good.certPem, [ca.certPem]), { signingTime: new Date() });
  const withDocumentTimestamp = (pdf: Buffer): Promise<Buffer> => {
    const stamp = tsaAt(tsa, () => new Date());
    return signWith(pdf, (s) => stamp.token(s), { docTimestamp: true });
  };
  const withContentReplaced = async (pdf: Buffer): Promise<Buffer> => {
    const f = await factsOf(pdf);
    const n = f.size;
    return appendUpdate(pdf, f, new Map([
      [n, streamBody('', 'BT /F1 24 Tf 72 700 Td (GIA MAO) Tj ET')],
      [f.pageRefs[0]!.objectNumber, pageWith(f, 0, (page) => page.set(PDFName.of('Contents'), PDFRef.of(n)))],
    ]));
  };

  it('the certified files are what they claim: /Perms /DocMDP names the signature, whose /Reference carries P; unchanged, each passes', async () => {
    for (const p of [1, 2, 3] as const) {
      const pdf = await signed(p);
      const doc = await PDFDocument.load(pdf, { updateMetadata: false });
      const perms = doc.catalog.lookup(PDFName.of('Perms'), PDFDict);
      const sig = perms.lookup(PDFName.of('DocMDP'), PDFDict);
      expect(sig.get(PDFName.of('Type'))?.toString()).to.equal('/Sig');
      expect(sig.get(PDFName.of('Reference'))?.toString()).to.match(new RegExp(`/TransformMethod\\s*/DocMDP[\\s\\S]*/P ${p}\\s`));
      const [r] = await verify(`certified P=${p}, unchanged`, pdf);
      expect(r!.docMdpPermissions).to.equal(p);
      expect(r!.verdict.indication).to.equal('passed');
    }
  });

  it('P=1: an annotation, a filled field or a second signature is a modification after signing; a document timestamp and a DSS are not', async () => {
    const pdf = await signed(1);
    const [annot] = await verify('P=1 + annotation', await withAnnotation(pdf));
    expect(annot!.verdict).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
    expect(annot!.verdict.message).to.match(/^Trang 1: thêm hoặc sửa chú thích sau chữ ký 1 \(bản sửa đổi 3\): chữ ký chứng nhận \(DocMDP P=1\)/);
    const [fill] = await verify('P=1 + form field filled', await withFieldFilled(pdf));
    expect(fill!.verdict).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
    expect(fill!.changes.map((c) => [c.kind, c.allowed])).to.deep.equal([['form-fill', false]]);
    const twice = await verify('P=1 + second signature', await withSecondSignature(pdf));
    expect(twice.map((r) => r.verdict.indication)).to.deep.equal(['failed', 'passed']);
    expect(twice[0]!.verdict.reason).to.equal('MODIFIED_AFTER_SIGNING');
    expect(twice[0]!.changes.some((c) => c.kind === 'signature' && !c.allowed)).to.equal(true);
    const stamped = await verify('P=1 + document timestamp', await withDocumentTimestamp(pdf));
    expect(stamped.map((r) => r.kind)).to.deep.equal(['signature', 'document-timestamp']);
    expect(stamped.map((r) => r.verdict.indication)).to.deep.equal(['passed', 'passed']);
    expect(stamped[0]!.changes.map((c) => c.kind)).to.include('timestamp');
    const f = await factsOf(pdf);
    const catalog = f.doc.catalog.clone(f.doc.context);
    catalog.set(PDFName.of('DSS'), PDFRef.of(f.size));
    const withDss = appendUpdate(pdf, f, new Map([[f.size, '<< /Certs [] >>'], [f.rootRef.objectNumber, catalog.toString()]]));
    const [dss] = await verify('P=1 + DSS', withDss);
    expect(dss!.verdict.indication).to.equal('passed');
  });

  it('P=2: a filled field and a second signature are allowed; an annotation is not', async () => {
    const pdf = await signed(2);
    const [fill] = await verify('P=2 + form field filled', await withFieldFilled(pdf));
    expect(fill!.verdict.indication).to.equal('passed');
    expect(fill!.changes.map((c) => [c.kind, c.allowed])).to.deep.equal([['form-fill', true]]);
    const twice = await verify('P=2 + second signature', await withSecondSignature(pdf));
    expect(twice.map((r) => r.verdict.indication)).to.deep.equal(['passed', 'passed']);
    const [annot] = await verify('P=2 + annotation', await withAnnotation(pdf));
    expect(annot!.verdict).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
    expect(annot!.verdict.message).to.contain('DocMDP P=2');
  });

  it('P=3: annotations too are allowed; page content never is', async () => {
    const pdf = await signed(3);
    const [annot] = await verify('P=3 + annotation', await withAnnotation(pdf));
    expect(annot!.verdict.indication).to.equal('passed');
    expect(annot!.changes.map((c) => [c.kind, c.allowed])).to.deep.equal([['annotation', true]]);
    const [fill] = await verify('P=3 + form field filled', await withFieldFilled(pdf));
    expect(fill!.verdict.indication).to.equal('passed');
    const [forged] = await verify('P=3 + page content replaced', await withContentReplaced(pdf));
    expect(forged!.verdict).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
    expect(forged!.verdict.message).to.match(/^Trang 1: nội dung bị thay đổi sau chữ ký 1/);
    expect(forged!.verdict.message).not.to.contain('DocMDP');
  });

  it('no certification signature (approval signatures only): form filling, annotations and further signatures are allowed, page content is not', async () => {
    const pdf = await signed(null);
    const [plain] = await verify('no DocMDP, unchanged', pdf);
    expect(plain!.docMdpPermissions).to.equal(null);
    expect(plain!.verdict.indication).to.equal('passed');
    for (const [name, change] of [['annotation', withAnnotation], ['form field filled', withFieldFilled], ['second signature', withSecondSignature]] as const) {
      const reports = await verify(`no DocMDP + ${name}`, await change(pdf));
      expect(reports.map((r) => r.verdict.indication), name).to.deep.equal(reports.map(() => 'passed'));
    }
    const [forged] = await verify('no DocMDP + page content replaced', await withContentReplaced(pdf));
    expect(forged!.verdict).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
  });
});
