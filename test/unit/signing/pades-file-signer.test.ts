import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { UnsignablePdfError } from '../../../services/signing/errors';
import {
  loadSigningIdentity, SignedPdfFile, signPdfDetailed, signPdfFile, SignPdfOptions, SigningIdentity,
} from '../../../services/signing/pades-signer';
import { verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import { PdfFileReader, PdfUnreadableError, withPdfFile } from '../../../services/signing/pdf-file-reader';
import { requestTimestamp } from '../../../services/signing/tsa-client';
import { rejectionOf } from '../../support/rejection';
import { encryptWithQpdf } from '../convert/source-fixtures';
import { RunningTsa, startTsa } from '../tsa/tsa-fixtures';
import { hybridPdf, pageTreeCyclePdf, prevLoopPdf, shiftedXrefPdf, writeBigPdf } from './pdf-file-fixtures';
import { AGENCY, makePki, nssDbTrusting, onePagePdf, pdfsig, qpdfObjectStreams, run, TempDir, TestPki } from './signing-fixtures';

// signPdfFile must build the very update signPdfDetailed builds (same objects, same bytes), from
// a file, with memory that does not grow with the file. Everything is checked by pdfsig (NSS) and
// by our verifier; the big-file case measures this process's memory around the call.

const anchor = (pem: string): Buffer => new X509Certificate(pem).raw;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

type Variant = { label: string; make: (dir: TempDir) => Promise<Buffer> };
const VARIANTS: Variant[] = [
  { label: 'a pdf-lib PDF with object streams and an xref stream', make: () => onePagePdf({ objectStreams: true }) },
  { label: 'a pdf-lib PDF with a classic xref table', make: () => onePagePdf() },
  { label: 'a PDF rewritten by qpdf with object streams (xref stream with a PNG predictor)', make: async (dir) => qpdfObjectStreams(dir, await onePagePdf()) },
  { label: 'a hybrid-reference PDF (table plus /XRefStm), rotated, with inherited boxes and /Annots in an object stream', make: async () => hybridPdf() },
];

describe('when a PDF is signed from a file', () => {
  const dir = new TempDir();
  let pki: TestPki;
  let identity: SigningIdentity;
  let nss: string;
  // a time inside the certificate's validity, and fixed: both paths must write the same /M
  let signingTime: Date;

  before(() => {
    pki = makePki('rsa');
    identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
    nss = nssDbTrusting(dir, 'nss', pki.ca.certPem);
    signingTime = new Date(Date.now() + 1000);
  });
  after(() => dir.remove());

  for (const variant of VARIANTS) {
    describe(`when it is ${variant.label}`, () => {
      let original: Buffer;
      let result: SignedPdfFile;
      let signed: Buffer;
      let opts: SignPdfOptions;

      before(async () => {
        original = await variant.make(dir);
        opts = {
          signingTime, reason: 'Ký ban hành văn bản', location: 'Bắc Ninh', signerName: AGENCY.agencyName,
          appearance: { agencyName: AGENCY.agencyName, signerLine: 'KT. GIÁM ĐỐC Nguyễn Văn A' },
        };
        const input = dir.file(`${variant.label.length}-in.pdf`, original);
        result = await signPdfFile(input, dir.file(`${variant.label.length}-out.pdf`), identity, opts);
        signed = readFileSync(result.path);
      });

      it('then the lazy reader handled it (no in-memory fallback) and size and sha256 describe the output', () => {
        expect(result.inMemoryFallback).to.equal(undefined);
        expect(result).to.include({ level: 'B-B', timestamped: false, size: signed.length, sha256: sha256(signed) });
        expect(signed.subarray(0, original.length).equals(original)).to.equal(true);
      });

      it('then the output is byte for byte what signPdfDetailed makes of the same bytes', async () => {
        const inMemory = await signPdfDetailed(original, identity, opts);
        expect(signed.length).to.equal(inMemory.pdf.length);
        expect(signed.equals(inMemory.pdf)).to.equal(true);
      });

      it('then pdfsig reports a valid, trusted signature over the whole document', () => {
        const out = pdfsig(nss, result.path);
        expect(out).to.contain('Signature is Valid');
        expect(out).to.contain('Certificate is Trusted');
        expect(out).to.contain('Total document signed');
      });

      it('then qpdf finds no structural errors', () => {
        const check = run('qpdf', ['--check', result.path]);
        expect(check.status, check.stdout + check.stderr).to.equal(0);
      });

      it('then our verifier agrees', async () => {
        const [report, ...rest] = await verifyPdfSignatures(signed, [anchor(pki.ca.certPem)]);
        expect(rest).to.have.length(0);
        expect(report).to.deep.include({ coversWholeDocument: true, digestMatches: true, signatureValid: true, chainTrusted: true });
        expect(report?.problems).to.deep.equal([]);
      });
    });
  }

  describe('when the signed file is signed again from the file', () => {
    let once: string;
    let twice: SignedPdfFile;

    before(async () => {
      const first = await signPdfFile(dir.file('again-in.pdf', await onePagePdf({ objectStreams: true })), dir.file('again-1.pdf'), identity, { signingTime });
      once = first.path;
      twice = await signPdfFile(once, dir.file('again-2.pdf'), identity, { signingTime, reason: 'Counter-signature' });
    });

    it('then pdfsig finds both signatures valid, the second covering the whole file', () => {
      const out = pdfsig(nss, twice.path);
      expect(out.match(/Signature is Valid/g)).to.have.length(2);
      expect(out.match(/Total document signed/g)).to.have.length(1);
      expect(out).to.contain('Signature Field Name: Signature2');
    });

    it('then our verifier reports both valid, and the bytes equal the in-memory signer\'s', async () => {
      const bytes = readFileSync(twice.path);
      const reports = await verifyPdfSignatures(bytes, [anchor(pki.ca.certPem)]);
      expect(reports.map((r) => [r.signatureValid, r.digestMatches, r.coversWholeDocument])).to.deep.equal([
        [true, true, false],
        [true, true, true],
      ]);
      const inMemory = await signPdfDetailed(readFileSync(once), identity, { signingTime, reason: 'Counter-signature' });
      expect(bytes.equals(inMemory.pdf)).to.equal(true);
    });
  });

  describe('when the PDF is linearized by qpdf (first-page and main xref streams)', () => {
    it('then it is signed validly and the new trailer keeps /Info, which only the first-page trailer names', async () => {
      const input = dir.file('lin-in.pdf');
      const made = run('qpdf', ['--linearize', dir.file('lin-base.pdf', await onePagePdf({ objectStreams: true })), input]);
      expect(made.status, made.stderr).to.equal(0);
      const result = await signPdfFile(input, dir.file('lin-out.pdf'), identity, { signingTime });
      expect(result.inMemoryFallback).to.equal(undefined);
      const out = pdfsig(nss, result.path);
      expect(out).to.contain('Signature is Valid');
      expect(out).to.contain('Total document signed');
      const signed = readFileSync(result.path);
      const update = signed.subarray(statSync(input).size).toString('latin1');
      expect(update).to.match(/\/Type \/XRef [^>]*\/Info \d+ 0 R/);
      // (pdf-lib's full load lets the main xref stream's trailer, without /Info, replace the first one's.)
      expect(run('pdfinfo', [result.path]).stdout).to.contain('Cong van so 123/SNV-VP');
    });
  });

  describe('when a signature timestamp is asked for', () => {
    let tsa: RunningTsa;
    before(async () => {
      tsa = await startTsa(pki.ca);
    });
    after(async () => tsa.close());

    it('then the file is B-T, valid for pdfsig and our verifier, and equal to the in-memory result with the same token', async () => {
      // One token per signature value: RSA PKCS#1 v1.5 is deterministic, so both paths get the same one.
      const tokens = new Map<string, Promise<Buffer>>();
      const timestamper = (value: Buffer): Promise<Buffer> => {
        const key = sha256(value);
        if (!tokens.has(key)) tokens.set(key, requestTimestamp(tsa.url, createHash('sha256').update(value).digest()));
        return tokens.get(key)!;
      };
      const original = await onePagePdf({ objectStreams: true });
      const result = await signPdfFile(dir.file('bt-in.pdf', original), dir.file('bt-out.pdf'), identity, { signingTime, timestamper });
      expect(result).to.include({ level: 'B-T', timestamped: true });
      const signed = readFileSync(result.path);
      expect(pdfsig(nss, result.path)).to.contain('Signature is Valid');
      const [report] = await verifyPdfSignatures(signed, [anchor(pki.ca.certPem)]);
      expect(report?.timestamp?.valid, report?.problems.join('; ')).to.equal(true);
      expect(tokens.size).to.equal(1);
      const inMemory = await signPdfDetailed(original, identity, { signingTime, timestamper });
      expect(signed.equals(inMemory.pdf)).to.equal(true);
    });
  });

  describe('when the file is encrypted', () => {
    it('then it is refused with UnsignablePdfError and no output is left behind', async () => {
      const input = dir.file('enc.pdf', encryptWithQpdf(await onePagePdf()));
      const output = dir.file('enc-out.pdf');
      const err = await rejectionOf(signPdfFile(input, output, identity, { signingTime }));
      expect(err).to.be.instanceOf(UnsignablePdfError);
      expect(err.message).to.contain('encrypted');
      expect(existsSync(output)).to.equal(false);
    });
  });

  describe('when the lazy reader cannot follow the cross-references', () => {
    const cases: [string, () => Promise<Buffer>, RegExp][] = [
      ['every xref offset is off by three bytes', async () => shiftedXrefPdf(), /object 1/],
      ['the trailer names itself as /Prev', async () => prevLoopPdf(), /loops/],
      [
        'startxref points past the end of the file',
        async () => Buffer.from((await onePagePdf()).toString('latin1').replace(/startxref\s+\d+/, 'startxref\n999999'), 'latin1'),
        /startxref/,
      ],
    ];
    for (const [label, make, why] of cases) {
      it(`when ${label}, then the file is signed in memory instead, validly, and says why`, async () => {
        const input = dir.file(`fallback-${label.length}.pdf`, await make());
        const result = await signPdfFile(input, dir.file(`fallback-${label.length}-out.pdf`), identity, { signingTime });
        expect(result.inMemoryFallback).to.match(why);
        const signed = readFileSync(result.path);
        expect(result.sha256).to.equal(sha256(signed));
        const [report] = await verifyPdfSignatures(signed, [anchor(pki.ca.certPem)]);
        expect(report).to.deep.include({ digestMatches: true, signatureValid: true, coversWholeDocument: true });
        expect(pdfsig(nss, result.path)).to.contain('Signature is Valid');
      });
    }

    it('when the file is larger than the fallback allows, then UnsignablePdfError', async () => {
      const input = dir.file('fallback-limit.pdf', shiftedXrefPdf());
      const err = await rejectionOf(signPdfFile(input, dir.file('fallback-limit-out.pdf'), identity, { signingTime, maxInMemoryFallbackBytes: 100 }));
      expect(err).to.be.instanceOf(UnsignablePdfError);
      expect(err.message).to.contain('too large');
    });

    it('then the reader itself says what it could not follow', async () => {
      const err = await rejectionOf(withPdfFile(dir.file('loop.pdf', prevLoopPdf()), () => undefined));
      expect(err).to.be.instanceOf(PdfUnreadableError);
      expect(err.message).to.match(/\/Prev chain .* loops/);
    });
  });

  describe('when the page tree has a cycle', () => {
    it('then the reader refuses to count the pages, and signing stops at the first page without looping', async () => {
      const input = dir.file('cycle.pdf', pageTreeCyclePdf());
      const err = await rejectionOf(withPdfFile(input, (reader: PdfFileReader) => reader.countPages()));
      expect(err.message).to.contain('twice');
      const result = await signPdfFile(input, dir.file('cycle-out.pdf'), identity, { signingTime });
      expect(result.inMemoryFallback).to.equal(undefined);
      expect(pdfsig(nss, result.path)).to.contain('Signature is Valid');
    });
  });

  describe('when a PDF of 40 MB is signed from a file', () => {
    let input: string;
    let size: number;

    before(async () => {
      input = dir.file('big.pdf');
      size = writeBigPdf(input, 42 * 1000 * 1000);
      // warm up: modules, the stamp fonts, the key — so the measurement sees only the big file
      await signPdfFile(dir.file('warm.pdf', await onePagePdf()), dir.file('warm-out.pdf'), identity, {
        signingTime, appearance: { agencyName: AGENCY.agencyName },
      });
    });

    it('then the process grows by a small fraction of the file size, and the signature is valid', async () => {
      const before = process.memoryUsage();
      let peakRss = before.rss;
      let peakBuffers = before.arrayBuffers;
      const sample = (): void => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
      };
      const timer = setInterval(sample, 1);
      let result: SignedPdfFile;
      try {
        result = await signPdfFile(input, dir.file('big-out.pdf'), identity, { signingTime, appearance: { agencyName: AGENCY.agencyName } });
      } finally {
        clearInterval(timer);
      }
      sample();
      const rssGrowth = peakRss - before.rss;
      const bufferGrowth = peakBuffers - before.arrayBuffers;
      // Loading the file whole costs 2× its size (the input and the signed copy); the lazy path a few MB.
      expect(size).to.be.at.least(40 * 1000 * 1000);
      expect(rssGrowth, `rss grew by ${rssGrowth} bytes`).to.be.lessThan(size / 5);
      expect(bufferGrowth, `array buffers grew by ${bufferGrowth} bytes`).to.be.lessThan(size / 10);
      expect(result.size).to.equal(statSync(result.path).size);
      expect(result.inMemoryFallback).to.equal(undefined);
      const out = pdfsig(nss, result.path);
      expect(out).to.contain('Signature is Valid');
      expect(out).to.contain('Total document signed');
    });
  });
});
