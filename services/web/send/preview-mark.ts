import { PDFDocument, rgb } from 'pdf-lib';
import { label } from '../../render/layout/label';
import { paintOver } from '../../render/layout/paint';
import { serifLayout } from '../../render/layout/paper';

export const PREVIEW_MARK = 'BẢN XEM TRƯỚC — không phải văn bản phát hành; số văn bản được cấp khi gửi';

const RED = rgb(0.75, 0.1, 0.1);

/**
 * Marks every page of a rendered preview at its top edge, in red, so no one takes it for the
 * document: laid out and painted by the document engine over the rendered pages (as a printed
 * copy's foot line is).
 */
export async function markAsPreview(pdf: Uint8Array): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const ctx = serifLayout();
  const targets = doc.getPages().map((page) => {
    const { width, height } = page.getSize();
    return { page, ops: [label(PREVIEW_MARK, { x: 10, width: width - 20, baseline: height - 22, size: 9, style: 'italic', align: 'center', color: RED }, ctx)] };
  });
  await paintOver(doc, targets, ctx.fonts);
  return Buffer.from(await doc.save());
}
