import { PDFDocument } from 'pdf-lib';
import { serifFonts } from '../fonts/serif-font';
import { GREY } from '../render/flow/pdf-layout';

/**
 * A printed copy (bản in) of a document's PDF: every page carries, at its foot, who printed it
 * and when. The copy is a new file: its signature (if any) stays in the kept signed PDF, which is
 * never changed.
 */
export async function printedCopy(source: Buffer, line: string): Promise<Buffer> {
  const pdf = await PDFDocument.load(source, { updateMetadata: false });
  const fonts = serifFonts();
  await fonts.embed(pdf, 'italic', line);
  for (const page of pdf.getPages()) {
    const { width } = page.getSize();
    const w = fonts.widthOf(line, 8, 'italic');
    fonts.drawText(page, line, { x: Math.max(10, (width - w) / 2), y: 10, size: 8, style: 'italic', color: GREY });
  }
  await fonts.flush(pdf);
  return Buffer.from(await pdf.save());
}
