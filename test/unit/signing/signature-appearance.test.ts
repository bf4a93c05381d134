import { expect } from 'chai';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { degrees, PDFDocument, PDFRef, StandardFonts } from 'pdf-lib';
import { projectRoot } from '../../../services/config/project-root';
import { buildStamp, stampLines, vietnamTime, vietnamTimeInWords } from '../../../services/signing/appearance/signature-stamp';
import { glyphHex, runsWidth, shapeRuns } from '../../../services/signing/appearance/stamp-font';
import { loadSigningIdentity, signPdf, SigningIdentity } from '../../../services/signing/pades-signer';
import { AGENCY, makePki, nssDbTrusting, pdfsig, run, TempDir, TestPki } from './signing-fixtures';

const SIGNER = 'KT. GIÁM ĐỐC — PHÓ GIÁM ĐỐC Nguyễn Thị Hồng Nhung';
const RIGHT_INSET = (15 * 72) / 25.4;
const A4: [number, number] = [595.28, 841.89];

async function a4Pdf(rotation = 0): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.TimesRoman);
  const page = doc.addPage(A4);
  page.setRotation(degrees(rotation));
  page.drawText('CONG HOA XA HOI CHU NGHIA VIET NAM', { x: 300, y: 770, size: 12, font });
  for (let i = 0; i < 25; i++) page.drawText(`Body line ${i + 1}: van ban hanh chinh dien tu`, { x: 85, y: 700 - i * 18, size: 13, font });
  return Buffer.from(await doc.save());
}

interface Word {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Word boxes as poppler lays out page 1 (top-left origin, in the displayed orientation). */
function words(path: string): Word[] {
  const html = run('pdftotext', ['-bbox', '-f', '1', '-l', '1', path, '-']).stdout;
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]), text: m[5] ?? '',
  }));
}

describe('when the stamp text is prepared', () => {
  it('then the signing time is ISO 8601 at +07:00 whatever the host time zone, across midnight too', () => {
    expect(vietnamTime(new Date('2026-11-28T07:05:09.700Z'))).to.equal('2026-11-28T14:05:09+07:00');
    expect(vietnamTime(new Date('2026-12-31T20:00:00Z'))).to.equal('2027-01-01T03:00:00+07:00');
  });

  it('then the stamp prints that time as a person reads it: HH:mm:ss ngày dd/MM/yyyy (GMT+7)', () => {
    expect(vietnamTimeInWords(new Date('2026-12-31T20:00:00Z'))).to.equal('03:00:00 ngày 01/01/2027 (GMT+7)');
    expect(stampLines({ agencyName: 'Sở Nội vụ' }, new Date('2026-11-28T07:05:09Z')).at(-1)).to.equal('Thời gian ký: 14:05:09 ngày 28/11/2026 (GMT+7)');
  });

  it('then an empty appearance is refused rather than stamping only a time', () => {
    expect(() => stampLines({ agencyName: '  ' }, new Date())).to.throw(RangeError);
  });

  it('then long lines wrap greedily at 100 mm, word by word, as shaping each candidate line whole would', () => {
    const agencyName = 'Ủy ban nhân dân tỉnh Bắc Ninh — Văn phòng Ủy ban nhân dân tỉnh, Phòng Hành chính - Tổ chức và Kiểm soát thủ tục hành chính';
    const signerLine = `${SIGNER} ${'Trưởng phòng Quản lý văn bản đến và đi '.repeat(3)}Nguyễn Văn A`;
    const time = new Date('2026-11-28T07:05:09Z');
    let n = 1;
    const stamp = buildStamp({ agencyName, signerLine }, time, { box: { x: 0, y: 0, width: A4[0], height: A4[1] }, rotation: 0 }, () => PDFRef.of(n++));
    const content = stamp.appearance.objects[0]![1].toString('latin1');
    const shown = [...content.matchAll(/Tm\n((?:\/F\d+ 10 Tf <[0-9A-F]+> Tj\n?)+)/g)].map((m) => [...m[1]!.matchAll(/<([0-9A-F]+)>/g)].map((g) => g[1]).join(''));
    // The reference: every candidate line shaped whole and measured (the wrap as first written).
    const limit = (100 * 72) / 25.4;
    const expected: string[] = [];
    for (const line of stampLines({ agencyName, signerLine }, time)) {
      let current = '';
      for (const word of line.split(' ')) {
        const candidate = current ? `${current} ${word}` : word;
        if (current && runsWidth(shapeRuns(candidate), 10) > limit) {
          expected.push(current);
          current = word;
        } else current = candidate;
      }
      expected.push(current);
    }
    expect(expected.length).to.be.greaterThan(4); // the two long lines wrapped
    expect(shown).to.deep.equal(expected.map((l) => shapeRuns(l).map((r) => glyphHex(r).slice(1, -1)).join('')));
    for (const l of expected.slice(0, -1)) expect(runsWidth(shapeRuns(l), 10)).to.be.at.most(limit);
  });
});

describe('when a PDF is signed with a visible signature', () => {
  const dir = new TempDir();
  // Taken with the certificate (not when the file loads): see pades-signer.test.ts.
  let signingTime = new Date();
  let pki: TestPki;
  let identity: SigningIdentity;
  let original: Buffer;
  let path: string;

  before(async () => {
    signingTime = new Date();
    pki = makePki('rsa');
    identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
    original = await a4Pdf();
    const signed = await signPdf(original, identity, { signingTime, appearance: { agencyName: AGENCY.agencyName, signerLine: SIGNER } });
    path = dir.file('visible.pdf', signed);
  });
  after(() => dir.remove());

  it('then pdftotext finds the agency, the signer and the +07:00 signing time on page 1', () => {
    const text = run('pdftotext', ['-f', '1', '-l', '1', path, '-']).stdout;
    expect(text).to.contain(AGENCY.agencyName);
    expect(text.replace(/\s+/g, ' ')).to.contain(SIGNER);
    expect(text).to.contain(`Thời gian ký: ${vietnamTimeInWords(signingTime)}`);
  });

  it('then the stamp sits at the top right: right-aligned at the 15 mm margin, above the 20 mm top margin', () => {
    const stamp = words(path).filter((w) => w.yMin < 60);
    const rightEdge = Math.max(...stamp.map((w) => w.xMax));
    expect(rightEdge).to.be.within(A4[0] - RIGHT_INSET - 4, A4[0] - RIGHT_INSET);
    expect(Math.max(...stamp.map((w) => w.yMax))).to.be.below(20 * (72 / 25.4));
    expect(Math.min(...stamp.map((w) => w.xMin))).to.be.above(A4[0] / 2 - 60);
    expect(stamp.map((w) => w.text)).to.include.members(['Nội', 'Ninh', 'ký:']);
  });

  it('then pdfsig still calls the signature valid and trusted, and the original bytes are untouched', () => {
    const out = pdfsig(nssDbTrusting(dir, 'nss', pki.ca.certPem), path);
    expect(out).to.contain('Signature is Valid');
    expect(out).to.contain('Certificate is Trusted');
    expect(out).to.contain('Total document signed');
    expect(readFileSync(path).subarray(0, original.length).equals(original)).to.equal(true);
    const check = run('qpdf', ['--check', path]);
    expect(check.status, check.stdout + check.stderr).to.equal(0);
  });

  it('then page 1 renders to a PNG kept in test-artifacts/signing for people to look at', () => {
    const outDir = join(projectRoot(), 'test-artifacts', 'signing');
    mkdirSync(outDir, { recursive: true });
    const r = run('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', path, join(dir.path, 'page1')]);
    expect(r.status, r.stderr).to.equal(0);
    copyFileSync(join(dir.path, 'page1.png'), join(outDir, 'visible-signature-page1.png'));
    expect(statSync(join(outDir, 'visible-signature-page1.png')).size).to.be.above(5000);
  });

  it('then decomposed Vietnamese input is written precomposed (NFC), so search and copy find it', async () => {
    const decomposed = AGENCY.agencyName.normalize('NFD');
    expect(decomposed).to.not.equal(AGENCY.agencyName);
    const signed = await signPdf(original, identity, { signingTime, appearance: { agencyName: decomposed } });
    const text = run('pdftotext', ['-f', '1', '-l', '1', dir.file('nfd.pdf', signed), '-']).stdout;
    expect(text).to.contain(AGENCY.agencyName);
  });
});

describe('when the stamp needs a character outside the latin and vietnamese files', () => {
  const dir = new TempDir();
  after(() => dir.remove());

  it('then latin-ext is embedded for it and the text still reads back', async () => {
    const pki = makePki('ec');
    const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
    const agencyName = 'Đại sứ quán tại Łódź';
    const signed = await signPdf(await a4Pdf(), identity, { signingTime: new Date(), appearance: { agencyName } });
    const path = dir.file('latin-ext.pdf', signed);
    expect(run('pdftotext', ['-f', '1', '-l', '1', path, '-']).stdout).to.contain(agencyName);
    expect(run('pdffonts', [path]).stdout.match(/Tinos-Regular/g)).to.have.length(3);
  });
});

describe('when an attachment is signed separately', () => {
  const dir = new TempDir();
  after(() => dir.remove());

  it('then its stamp holds the number/symbol and the time only, and the signature is valid', async () => {
    const pki = makePki('ec');
    const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
    const signingTime = new Date();
    const signed = await signPdf(await a4Pdf(), identity, { signingTime, appearance: { numberNotation: 'Số: 15/CT-UBND' } });
    const path = dir.file('attachment.pdf', signed);
    const text = run('pdftotext', ['-f', '1', '-l', '1', path, '-']).stdout;
    expect(text).to.contain('Số: 15/CT-UBND');
    expect(text).to.contain(vietnamTimeInWords(signingTime));
    expect(text).not.to.contain(AGENCY.agencyName);
    expect(pdfsig(nssDbTrusting(dir, 'nss', pki.ca.certPem), path)).to.contain('Signature is Valid');
  });
});

describe('when the first page is rotated', () => {
  const dir = new TempDir();
  after(() => dir.remove());

  for (const rotation of [90, 180, 270]) {
    it(`when /Rotate is ${rotation}, then the stamp is still upright at the displayed top right`, async () => {
      const pki = makePki('rsa');
      const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
      const signed = await signPdf(await a4Pdf(rotation), identity, { signingTime: new Date(), appearance: { agencyName: AGENCY.agencyName } });
      const path = dir.file(`rotated-${rotation}.pdf`, signed);
      const displayedWidth = rotation % 180 === 0 ? A4[0] : A4[1];
      const ninh = words(path).find((w) => w.text === 'Ninh');
      expect(ninh, 'the agency name was not found upright').to.not.equal(undefined);
      expect(ninh!.xMax).to.be.within(displayedWidth - RIGHT_INSET - 4, displayedWidth - RIGHT_INSET);
      expect(ninh!.yMin).to.be.below(25);
      expect(pdfsig(nssDbTrusting(dir, `nss-${rotation}`, pki.ca.certPem), path)).to.contain('Signature is Valid');
    });
  }
});
