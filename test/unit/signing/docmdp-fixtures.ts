import { PDFDocument, PDFName, PDFPage, PDFRef, StandardFonts } from 'pdf-lib';
import { addSignaturePlaceholder } from '../../../services/signing/pdf-placeholder';
import { encodePdfTextString } from '../../../services/signing/pdf-text';

// Certified and plain signed forms for the DocMDP corpora (docmdp-corpus, catalog-changes-corpus).

const CAPACITY = 16 * 1024;
/** A one-page form (text field "hoten"); with `certify`, its catalogue's /Perms /DocMDP names the object the signature dictionary will be. */
export async function formPdf(certify: boolean, extras?: (doc: PDFDocument, page: PDFPage) => void): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText('Don de nghi cap giay phep', { x: 72, y: 760, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  doc.getForm().createTextField('hoten').addToPage(page, { x: 72, y: 600, width: 200, height: 20 });
  extras?.(doc, page);
  const plain = Buffer.from(await doc.save({ useObjectStreams: false }));
  if (!certify) return plain;
  const again = await PDFDocument.load(plain, { updateMetadata: false });
  // the placeholder numbers the signature dictionary first: the next free object number
  const sigNumber = again.context.largestObjectNumber + 1;
  again.catalog.set(PDFName.of('Perms'), again.context.obj({ DocMDP: PDFRef.of(sigNumber) }));
  const out = Buffer.from(await again.save({ useObjectStreams: false, updateFieldAppearances: false }));
  const check = await PDFDocument.load(out, { updateMetadata: false });
  if (check.context.largestObjectNumber + 1 !== sigNumber) throw new Error('the signature dictionary would not get the number /Perms names');
  return out;
}

/** A certification signature with DocMDP /P = p: the /Reference replaces a /Reason of the same length. */
export async function certify(pdf: Buffer, p: 1 | 2 | 3, makeCms: (signed: Buffer) => Buffer): Promise<Buffer> {
  const reason = 'R'.repeat(160);
  const prepared = await addSignaturePlaceholder(pdf, { signingTime: new Date(), reason }, CAPACITY);
  const bytes = Buffer.from(prepared.bytes);
  const written = `/Reason ${encodePdfTextString(reason)}`;
  const at = bytes.indexOf(written, pdf.length, 'latin1');
  if (at < 0) throw new Error('the /Reason to replace was not found');
  const reference = `/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P ${p} /V /1.2 >> >>]`;
  bytes.write(reference.padEnd(written.length, ' '), at, 'latin1');
  const [a, b, c, d] = prepared.byteRange;
  const cms = makeCms(Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]));
  bytes.write(cms.toString('hex'), prepared.contentsOffset, 'latin1');
  return bytes;
}

