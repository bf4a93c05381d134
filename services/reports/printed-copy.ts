import { PDFDocument } from 'pdf-lib';
import { label } from '../render/layout/label';
import { paintOver } from '../render/layout/paint';
import { serifLayout } from '../render/layout/paper';
import { GREY } from './report-look';

/**
 * A printed copy (bản in) of a document's PDF: every page carries, at its foot, who printed it
 * and when. The copy is a new file: its signature (if any) stays in the kept signed PDF, which is
 * never changed. The line is laid out and painted by the document engine, over the copied pages.
 */
export async function printedCopy(source: Buffer, line: string): Promise<Buffer> {
  const pdf = await PDFDocument.load(source, { updateMetadata: false });
  const ctx = serifLayout();
  const targets = pdf.getPages().map((page) => {
    const { width } = page.getSize();
    return { page, ops: [label(line, { x: 10, width: width - 20, baseline: 10, size: 8, style: 'italic', align: 'center', color: GREY }, ctx)] };
  });
  await paintOver(pdf, targets, ctx.fonts);
  return Buffer.from(await pdf.save());
}
