import { PDFDocument, rgb } from 'pdf-lib';
import { serifFonts } from '../../fonts/serif-font';

export const PREVIEW_MARK = 'BẢN XEM TRƯỚC — không phải văn bản phát hành; số văn bản được cấp khi gửi';

const RED = rgb(0.75, 0.1, 0.1);
const SIZE = 9;

/** Marks every page of a rendered preview at its top edge, in red, so no one takes it for the document. */
export async function markAsPreview(pdf: Uint8Array): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf);
  const fonts = serifFonts();
  await fonts.embed(doc, 'italic', PREVIEW_MARK);
  const width = fonts.widthOf(PREVIEW_MARK, SIZE, 'italic');
  for (const page of doc.getPages()) {
    const { width: w, height: h } = page.getSize();
    fonts.drawText(page, PREVIEW_MARK, { x: Math.max(10, (w - width) / 2), y: h - 22, size: SIZE, style: 'italic', color: RED });
  }
  await fonts.flush(doc);
  return Buffer.from(await doc.save());
}
