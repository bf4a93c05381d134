import { expect } from 'chai';
import {
  appendTableUpdate, appendXrefStreamUpdate, Body, buildPdf, buildPdfWithObjectStream, objectStreamBody, pdftotext, simpleObjects, tailOf, textContent,
} from '../../support/pdf-attack-builder';
import { HandSignedCorpus } from './hand-signed-corpus';

// Later revisions that different PDF readers read differently: a dictionary that writes a key
// twice (the "shadow" attacks: the verifier compares one occurrence, the viewer shows the other)
// and object streams linked by /Extends. The verifier cannot say what changed, so the signature
// is INDETERMINATE with FORMAT_FAILURE, the object named. Files are built byte by byte
// (test/support/pdf-attack-builder.ts); pdftotext (poppler) shows what a viewer displays.

const FORGED = 'FORGED TEXT';
const ORIGINAL = 'ORIGINAL TEXT';
const FONT = '/Resources << /Font << /F1 5 0 R >> >>';
/** Poppler sorts a dictionary of 32 entries or more and may then return an earlier occurrence of a key. */
const PADDING = Array(32).fill('/Type /Page').join(' ');

describe('ambiguous revisions: duplicate keys and /Extends chains make a signature indeterminate', function () {
  this.timeout(300_000);
  const corpus = new HandSignedCorpus('Ambiguity Corpus Root CA', ORIGINAL);
  const { sign, verify, signedSimple } = corpus;

  /** The one signature is INDETERMINATE / FORMAT_FAILURE and a finding matches `message`. */
  async function expectAmbiguous(pdf: Buffer, message: RegExp): Promise<void> {
    const reports = await verify(pdf);
    expect(reports).to.have.length(1);
    const { verdict } = reports[0]!;
    expect(verdict.indication, verdict.message).to.equal('indeterminate');
    expect(verdict.reason).to.equal('FORMAT_FAILURE');
    const messages = verdict.findings.filter((f) => f.code === 'FORMAT_FAILURE').map((f) => f.message).join('\n');
    expect(messages, messages).to.match(message);
  }

  before(() => corpus.setUp());

  describe('a key written twice in one dictionary', () => {
    it('when a later revision rewrites the page with the forged /Contents first and the signed one last (shadow attack), then poppler shows the forgery and it is indeterminate naming object 3', async () => {
      const signed = await signedSimple();
      const { size, root } = tailOf(signed);
      // the last occurrence (what the verifier used to compare) is the signed content: the page looked unchanged
      const page = `<< /Contents ${size} 0 R ${PADDING} /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R ${FONT} >>`;
      const forged = appendTableUpdate(signed, new Map([[3, page], [size, textContent(FORGED)]]), { root });
      const shown = pdftotext(forged);
      expect(shown).to.include(FORGED);
      expect(shown).to.not.include(ORIGINAL);
      await expectAmbiguous(forged, /đối tượng 3 \(bản mới nhất\) ghi khóa [^\n]*\/Contents[^\n]* hai lần/);
    });

    it('when the signed /Pages node names two page lists and a later revision replaces the content of the page the verifier did not walk (hide and replace), then it is indeterminate naming object 2', async () => {
      // poppler shows page 3 (the first /Kids); the verifier walked page 7 (the last) and took object 4 for garbage
      const signed = await signedSimple({
        2: `<< /Kids [3 0 R] ${PADDING.replace(/Page/g, 'Pages')} /Kids [7 0 R] /Count 1 >>`,
        7: `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 8 0 R ${FONT} >>`,
        8: textContent('HIDDEN'),
      });
      expect(pdftotext(signed)).to.include(ORIGINAL); // what the signer saw
      const forged = appendTableUpdate(signed, new Map([[4, textContent(FORGED)]]), { root: tailOf(signed).root });
      const shown = pdftotext(forged);
      expect(shown).to.include(FORGED);
      expect(shown).to.not.include(ORIGINAL);
      await expectAmbiguous(forged, /đối tượng 2 \(bản đã ký\) ghi khóa [^\n]*\/Kids[^\n]* hai lần/);
    });

    it('when a later revision changes the document information with /Title twice, then it is indeterminate naming object 6', async () => {
      const signed = await signedSimple({ 6: '<< /Title (Van ban) >>' }, { info: 6 });
      const updated = appendTableUpdate(signed, new Map([[6, '<< /Title (Van ban) /Title (Van ban da sua) >>']]), { root: tailOf(signed).root, info: 6 });
      await expectAmbiguous(updated, /đối tượng 6 \(bản mới nhất\) ghi khóa \/Title hai lần/);
    });

    it('when a key is repeated in a nested dictionary of the page (its /Resources /Font), then it is indeterminate naming the path', async () => {
      const signed = await signedSimple();
      const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F1 5 0 R >> >> >>';
      const updated = appendTableUpdate(signed, new Map([[3, page]]), { root: tailOf(signed).root });
      await expectAmbiguous(updated, /đối tượng 3 \(bản mới nhất\) ghi khóa \/Resources\/Font\/F1 hai lần/);
    });

    it('when a later revision adds an unreachable object with a repeated key, then it is indeterminate (every added object is checked)', async () => {
      const signed = await signedSimple();
      const { size, root } = tailOf(signed);
      const updated = appendTableUpdate(signed, new Map([[size, '<< /Type /Annot /Subtype /Text /Contents (a) /Contents (b) >>']]), { root });
      await expectAmbiguous(updated, new RegExp(`đối tượng ${size} \\(bản mới nhất\\) ghi khóa /Contents hai lần`));
    });

    it('when the newest trailer writes /Root twice, then it is indeterminate naming the trailer', async () => {
      const signed = await signedSimple();
      const updated = appendTableUpdate(signed, new Map([[5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']]), { root: tailOf(signed).root });
      const at = updated.lastIndexOf('/Root 1 0 R');
      const doubled = Buffer.concat([updated.subarray(0, at), Buffer.from('/Root 1 0 R /Root 1 0 R'), updated.subarray(at + '/Root 1 0 R'.length)]);
      await expectAmbiguous(doubled, /trailer của bảng tham chiếu chéo tại vị trí \d+ ghi khóa \/Root hai lần/);
    });
  });

  describe('object streams linked by /Extends', () => {
    const pageTreeInStream = async (): Promise<Buffer> => {
      const objects = new Map<number, Body>([[1, '<< /Type /Catalog /Pages 2 0 R >>'], [4, textContent(ORIGINAL)], [5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']]);
      const members = new Map([
        [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
        [3, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R ${FONT} >>`],
      ]);
      return sign(buildPdfWithObjectStream(objects, { number: 6, members, listMembers: true }, 1));
    };

    it('when a later revision adds two object streams that extend each other, then it is indeterminate (cycle)', async () => {
      const signed = await pageTreeInStream();
      const { size, root } = tailOf(signed);
      const updated = appendXrefStreamUpdate(signed, new Map([
        [size, objectStreamBody([[size + 2, '<< /Orphan 1 >>']], `/Extends ${size + 1} 0 R`)],
        [size + 1, objectStreamBody([[size + 3, '<< /Orphan 2 >>']], `/Extends ${size} 0 R`)],
      ]), { root });
      await expectAmbiguous(updated, /chuỗi \/Extends của các luồng đối tượng quay vòng/);
    });

    it('when a later object stream extends an object that is not an object stream, then it is indeterminate (unresolvable chain)', async () => {
      const signed = await pageTreeInStream();
      const { size, root } = tailOf(signed);
      const updated = appendXrefStreamUpdate(signed, new Map([[size, objectStreamBody([[size + 1, '<< /Orphan 1 >>']], `/Extends ${size + 50} 0 R`)]]), { root });
      await expectAmbiguous(updated, new RegExp(`luồng đối tượng ${size} mở rộng \\(/Extends\\) đối tượng ${size + 50}`));
    });

    it('when a later object stream extends the signed one and holds a different copy of the page the xref never names, then it is indeterminate naming object 3', async () => {
      const signed = await pageTreeInStream();
      const { size, root } = tailOf(signed);
      const shadowPage = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${size + 1} 0 R ${FONT} >>`;
      const updated = appendXrefStreamUpdate(signed, new Map([
        [size, objectStreamBody([[3, shadowPage]], '/Extends 6 0 R')],
        [size + 1, textContent(FORGED)],
      ]), { root });
      // poppler follows the cross-reference (the signed copy); a reader that searches the collection may not
      expect(pdftotext(updated)).to.include(ORIGINAL);
      await expectAmbiguous(updated, new RegExp(`đối tượng 3 có hai bản khác nhau trong các luồng đối tượng ${size} và 6`));
    });

    it('when a later object stream extends the signed one with new objects only, then it still passes (regression guard: passed before the rule too)', async () => {
      const signed = await pageTreeInStream();
      const { size, root } = tailOf(signed);
      const updated = appendXrefStreamUpdate(signed, new Map(), { root, objectStream: { number: size, listMembers: true, members: new Map([[size + 1, '<< /Orphan 1 >>']]) } });
      const extended = appendXrefStreamUpdate(updated, new Map([[size + 2, objectStreamBody([[size + 3, '<< /Orphan 2 >>']], `/Extends ${size} 0 R`)]]), { root });
      const [r] = await verify(extended);
      expect(r!.verdict.indication, r!.verdict.message).to.equal('passed');
    });
  });
  describe('copies written after the signature that the cross-reference does not name', () => {
    /** `pdf` with raw object bytes appended: no cross-reference section lists them. */
    const withRaw = (pdf: Buffer, objects: Array<[number, Body]>): Buffer =>
      Buffer.concat([pdf, ...objects.map(([n, body]) => Buffer.from(`\n${n} 0 obj\n${body}\nendobj\n`, 'latin1'))]);
    /** The same file with its newest startxref pointing nowhere: what a reader that rebuilds the cross-reference shows. */
    const rebuilt = (pdf: Buffer): string => {
      const at = pdf.lastIndexOf('startxref');
      return pdftotext(Buffer.concat([pdf.subarray(0, at), Buffer.from('startxref\n9\n%%EOF\n', 'latin1')]));
    };

    it('when a later revision writes a forged copy of the page content without listing it, then the xref still names the signed copy, a rebuilding reader shows the forgery, and it is indeterminate naming object 4', async () => {
      const signed = await signedSimple();
      const { size, root } = tailOf(signed);
      // a legitimate-looking update after the unlisted copy: one new object nothing points at
      const forged = appendTableUpdate(withRaw(signed, [[4, textContent(FORGED)]]), new Map([[size, '<< /Orphan 1 >>']]), { root });
      expect(pdftotext(forged), 'through the cross-reference').to.include(ORIGINAL);
      expect(rebuilt(forged), 'rebuilt from the objects found').to.include(FORGED);
      await expectAmbiguous(forged, /đối tượng 4 có một bản ở vị trí \d+ mà bảng tham chiếu chéo không ghi, khác bản bảng ghi/);
    });

    it('when a later object stream holds a different copy of the page that the xref never names (no /Extends), then it is indeterminate naming object 3', async () => {
      const objects = new Map<number, Body>([[1, '<< /Type /Catalog /Pages 2 0 R >>'], [4, textContent(ORIGINAL)], [5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']]);
      const members = new Map([
        [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
        [3, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R ${FONT} >>`],
      ]);
      const signed = await sign(buildPdfWithObjectStream(objects, { number: 6, members, listMembers: true }, 1));
      const { size, root } = tailOf(signed);
      const shadowPage = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${size + 1} 0 R ${FONT} >>`;
      const updated = appendXrefStreamUpdate(signed, new Map([[size + 1, textContent(FORGED)]]), {
        root, objectStream: { number: size, listMembers: false, members: new Map([[3, shadowPage]]) },
      });
      expect(pdftotext(updated)).to.include(ORIGINAL);
      await expectAmbiguous(updated, new RegExp(`đối tượng 3 có một bản trong luồng đối tượng ở vị trí \\d+ mà bảng tham chiếu chéo không ghi`));
    });

    it('when later revisions rewrite an object twice, write the same copy again unlisted, and leave an unlisted copy of a free number, then it still passes (no reader sees another document)', async () => {
      const signed = await signedSimple();
      const { size, root } = tailOf(signed);
      const first = appendTableUpdate(signed, new Map([[size, '<< /Orphan 1 >>']]), { root });
      // superseded: the second update lists its own copy of the same object after the first one,
      // and the next moves it into an object stream (the last plain copy is then older than the listed one)
      const second = appendXrefStreamUpdate(appendTableUpdate(first, new Map([[size, '<< /Orphan 2 >>']]), { root }), new Map(), {
        root, objectStream: { number: size + 2, listMembers: true, members: new Map([[size, '<< /Orphan 4 >>']]) },
      });
      // written again as the cross-reference has it (the page content, byte for byte), and a number nothing lists
      const third = appendTableUpdate(withRaw(second, [[4, textContent(ORIGINAL)], [size + 40, '<< /Junk 1 >>']]), new Map([[size + 1, '<< /Orphan 3 >>']]), { root });
      const [r] = await verify(third);
      expect(r!.verdict.indication, r!.verdict.message).to.equal('passed');
    });
  });
});
