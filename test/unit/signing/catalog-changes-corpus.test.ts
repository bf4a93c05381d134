import { expect } from 'chai';
import { PDFDict, PDFDocument, PDFName, PDFPage, PDFRef, PDFString } from 'pdf-lib';
import { createDevCa, issueAgencyCertificate, KeyAndCert } from '../../../services/pki/dev-ca';
import { loadSigningIdentity, signPdf } from '../../../services/signing/pades-signer';
import { SignatureReport, verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import { appendUpdate, factsOf, handCms, PdfFacts, signWith, streamBody, X509Certificate } from './corpus-builders';
import { certify, formPdf } from './docmdp-fixtures';
import { AGENCY } from './signing-fixtures';

// Issue 15 item 3, the catalogue beyond the page tree and the form: a later revision that changes
// an object reached only through another catalogue entry (Outlines, the Names trees — JavaScript,
// EmbeddedFiles —, OpenAction, Metadata…) while the catalogue dictionary itself stays as signed.
// Such objects used to have no role and their changes were allowed. Now: after a certification
// signature they fail it at every P; without one, what changes what the document shows or does
// fails, while the XMP metadata is reported and allowed (revision-diff.ts says why). Every file is
// built here: pdf-lib writes a form whose catalogue has these entries as indirect objects, it is
// signed (or certified), and hand-built incremental updates rewrite only the reached objects.

const der = (pem: string): Buffer => new X509Certificate(pem).raw;

const XMP = (title: string): string =>
  `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
  `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">${title}</rdf:li></rdf:Alt></dc:title></rdf:Description>` +
  `</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;

/** Outlines (one bookmark), Names with an EmbeddedFiles tree (one file), an OpenAction (go to page 1), an XMP Metadata stream: all indirect. */
function withCatalogueEntries(doc: PDFDocument, page: PDFPage): void {
  const ctx = doc.context;
  const outlines = ctx.nextRef();
  const item = ctx.register(ctx.obj({ Title: PDFString.of('Muc 1'), Parent: outlines, Dest: [page.ref, 'Fit'] }));
  ctx.assign(outlines, ctx.obj({ Type: 'Outlines', First: item, Last: item, Count: 1 }));
  const data = ctx.register(ctx.flateStream('Phu luc 1', { Type: 'EmbeddedFile' }));
  const spec = ctx.register(ctx.obj({ Type: 'Filespec', F: PDFString.of('phu-luc-1.txt'), EF: { F: data } }));
  const files = ctx.register(ctx.obj({ Names: [PDFString.of('phu-luc-1.txt'), spec] }));
  const names = ctx.register(ctx.obj({ EmbeddedFiles: files }));
  const open = ctx.register(ctx.obj({ S: 'GoTo', D: [page.ref, 'Fit'] }));
  const metadata = ctx.register(ctx.stream(XMP('Don de nghi'), { Type: 'Metadata', Subtype: 'XML' }));
  doc.catalog.set(PDFName.of('Outlines'), outlines);
  doc.catalog.set(PDFName.of('Names'), names);
  doc.catalog.set(PDFName.of('OpenAction'), open);
  doc.catalog.set(PDFName.of('Metadata'), metadata);
}

/** The object a catalogue entry (or a path below it) names, by number. */
function refAt(f: PdfFacts, ...path: string[]): number {
  let v: unknown = f.doc.catalog;
  let ref: PDFRef | undefined;
  for (const key of path) {
    const next = (v as PDFDict).get(PDFName.of(key));
    if (next instanceof PDFRef) {
      ref = next;
      v = f.doc.context.lookup(next);
    } else v = next;
  }
  if (!ref) throw new Error(`${path.join('/')} is not an indirect object`);
  return ref.objectNumber;
}

// the later revisions: each rewrites objects the catalogue reaches, never the catalogue itself
const CHANGES: Record<string, (f: PdfFacts) => Map<number, string>> = {
  'OpenAction becomes JavaScript': (f) => new Map([[refAt(f, 'OpenAction'), "<< /S /JavaScript /JS (app.alert\\('Van ban da duoc duyet'\\)) >>"]]),
  'JavaScript name tree added': (f) => new Map([
    [f.size, `<< /Names [(mo-tai-lieu) ${f.size + 1} 0 R] >>`],
    [f.size + 1, "<< /S /JavaScript /JS (this.print\\(\\)) >>"],
    [refAt(f, 'Names'), `<< /EmbeddedFiles ${refAt(f, 'Names', 'EmbeddedFiles')} 0 R /JavaScript ${f.size} 0 R >>`],
  ]),
  'embedded file added': (f) => new Map([
    [f.size, streamBody('/Type /EmbeddedFile', 'Phu luc gia mao')],
    [f.size + 1, `<< /Type /Filespec /F (phu-luc-2.txt) /EF << /F ${f.size} 0 R >> >>`],
    [refAt(f, 'Names', 'EmbeddedFiles'), `<< /Names [(phu-luc-1.txt) ${embeddedSpec(f)} 0 R (phu-luc-2.txt) ${f.size + 1} 0 R] >>`],
  ]),
  'Outlines changed': (f) => new Map([[refAt(f, 'Outlines', 'First'), `<< /Title (Muc 1 - da sua) /Parent ${refAt(f, 'Outlines')} 0 R /Dest [${f.pageRefs[0]!.objectNumber} 0 R /Fit] >>`]]),
  'Metadata replaced': (f) => new Map([[refAt(f, 'Metadata'), streamBody('/Type /Metadata /Subtype /XML', XMP('Don de nghi - ban khac'))]]),
};

/** The file specification the embedded-files tree names first. */
function embeddedSpec(f: PdfFacts): number {
  const tree = f.doc.context.lookup(PDFRef.of(refAt(f, 'Names', 'EmbeddedFiles'))) as PDFDict;
  const names = tree.get(PDFName.of('Names'))!.toString();
  const m = /\(phu-luc-1\.txt\)\s+(\d+) 0 R/.exec(names);
  if (!m) throw new Error(`no file specification in ${names}`);
  return Number(m[1]);
}

/** The change each case must be reported as (kind and, for a catalogue entry, which). */
const EXPECTED: Record<string, { kind: string; entry?: string; text: RegExp }> = {
  'OpenAction becomes JavaScript': { kind: 'catalog-entry', entry: 'OpenAction', text: /^hành động tự chạy khi mở tài liệu/ },
  'JavaScript name tree added': { kind: 'catalog-entry', entry: 'Names/JavaScript', text: /^mã JavaScript của tài liệu/ },
  'embedded file added': { kind: 'catalog-entry', entry: 'Names/EmbeddedFiles', text: /^tệp nhúng trong tài liệu/ },
  'Outlines changed': { kind: 'catalog-entry', entry: 'Outlines', text: /^mục lục \(bookmark\)/ },
  'Metadata replaced': { kind: 'xmp-metadata', text: /^siêu dữ liệu XMP/ },
};

describe('issue 15 later revisions that change what other catalogue entries reach', function () {
  this.timeout(180_000);
  let ca: KeyAndCert;
  let good: KeyAndCert;
  const table: string[] = [];
  const verify = async (name: string, pdf: Buffer): Promise<SignatureReport[]> => {
    const reports = await verifyPdfSignatures(pdf, [der(ca.certPem)], { softFail: true });
    table.push(`    ${name.padEnd(56)} ${reports.map((r) => `${r.verdict.indication}${r.verdict.reason ? ` ${r.verdict.reason}` : ''}`).join(' | ')}`);
    return reports;
  };
  const signed = async (p: 1 | 2 | 3 | null): Promise<Buffer> => {
    const base = await formPdf(p !== null, withCatalogueEntries);
    const cms = (s: Buffer) => handCms(s, good, [ca.certPem], { digest: 'sha256' });
    return p === null ? signWith(base, cms) : certify(base, p, cms);
  };
  const changed = async (pdf: Buffer, name: string): Promise<Buffer> => {
    const f = await factsOf(pdf);
    return appendUpdate(pdf, f, CHANGES[name]!(f));
  };

  before(() => {
    ca = createDevCa({ commonName: 'Catalogue Root CA' });
    good = issueAgencyCertificate(ca, AGENCY);
  });
  after(() => process.stdout.write(`\n  Catalogue-entry table (case → verdict per signature):\n${table.join('\n')}\n`));

  it('the signed files carry the entries as indirect objects, and the updates leave the catalogue as signed', async () => {
    const pdf = await signed(null);
    const [plain] = await verify('no DocMDP, unchanged (Outlines, Names, OpenAction, Metadata)', pdf);
    expect(plain!.verdict.indication).to.equal('passed');
    for (const name of Object.keys(CHANGES)) {
      const after = await changed(pdf, name);
      // the update is a real one pdf-lib reads, and it does not rewrite the catalogue
      const f = await factsOf(pdf);
      expect([...CHANGES[name]!(f).keys()]).not.to.include(f.rootRef.objectNumber);
      const reread = await PDFDocument.load(after, { updateMetadata: false });
      expect(reread.catalog.toString()).to.equal(f.doc.catalog.toString());
    }
  });

  for (const p of [1, 2, 3] as const) {
    it(`after a certification signature (P=${p}) each of these changes fails it: MODIFIED_AFTER_SIGNING naming the entry`, async () => {
      const pdf = await signed(p);
      for (const [name, want] of Object.entries(EXPECTED)) {
        const [r] = await verify(`P=${p} + ${name}`, await changed(pdf, name));
        expect(r!.verdict, name).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
        const forbidden = r!.changes.filter((c) => !c.allowed);
        expect(forbidden.map((c) => [c.kind, c.entry]), name).to.deep.include([want.kind, want.entry]);
        expect(forbidden.find((c) => c.kind === want.kind)!.text, name).to.match(want.text);
        expect(r!.verdict.message, name).to.contain('(bản sửa đổi 3)');
      }
    });
  }

  it('without certification: scripts, embedded files and bookmarks fail the signature; replaced XMP metadata is reported and allowed', async () => {
    const pdf = await signed(null);
    for (const [name, want] of Object.entries(EXPECTED)) {
      const [r] = await verify(`no DocMDP + ${name}`, await changed(pdf, name));
      const change = r!.changes.find((c) => c.kind === want.kind);
      expect(change, name).to.not.equal(undefined);
      expect(change!.entry, name).to.equal(want.entry);
      expect(change!.text, name).to.match(want.text);
      if (want.kind === 'xmp-metadata') {
        expect(r!.verdict.indication, name).to.equal('passed');
        expect(change!.allowed, name).to.equal(true);
        expect(r!.changes.every((c) => c.allowed), name).to.equal(true);
      } else {
        expect(r!.verdict, name).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
        expect(change!.allowed, name).to.equal(false);
        expect(r!.verdict.message, name).to.contain(`${change!.text.slice(1)} sau chữ ký 1 (bản sửa đổi 3)`);
      }
    }
  });

  it('an /OpenAction written into the catalogue itself is named too; a second signature on the same file still passes (the entries it does not touch are no change)', async () => {
    const pdf = await signed(null);
    const f = await factsOf(pdf);
    const catalog = f.doc.catalog.clone(f.doc.context);
    catalog.set(PDFName.of('OpenAction'), PDFRef.of(f.size));
    const direct = appendUpdate(pdf, f, new Map([[f.size, '<< /S /JavaScript /JS (app.alert\\(1\\)) >>'], [f.rootRef.objectNumber, catalog.toString()]]));
    const [r] = await verify('no DocMDP + OpenAction set in the catalogue', direct);
    expect(r!.verdict).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
    expect(r!.changes.filter((c) => !c.allowed).map((c) => [c.kind, c.entry])).to.deep.equal([['catalog', 'OpenAction']]);
    const twice = await verify('no DocMDP + second signature (project signer)', await signPdf(pdf, loadSigningIdentity(good.keyPem, good.certPem, [ca.certPem]), { signingTime: new Date() }));
    expect(twice.map((x) => x.verdict.indication)).to.deep.equal(['passed', 'passed']);
    const certified = await verify('P=2 + second signature (project signer)', await signPdf(await signed(2), loadSigningIdentity(good.keyPem, good.certPem, [ca.certPem]), { signingTime: new Date() }));
    expect(certified.map((x) => x.verdict.indication)).to.deep.equal(['passed', 'passed']);
  });
});
