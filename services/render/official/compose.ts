import { PDFDocument } from 'pdf-lib';
import { Body } from '../body.schema';
import { type BlockProfile, blockBoxes } from '../layout/blocks';
import { A4_DECREE_30, type PageFrame, contentWidth } from '../layout/geometry';
import { paginate } from '../layout/paginate';
import { pageNumber } from '../layout/page-number';
import { paint } from '../layout/paint';
import { fixedBox } from '../layout/paragraph';
import type { LayoutContext } from '../layout/text-engine';
import { type RenderInput, RenderInputError, type RenderedDocument } from '../render-input';
import { closingBox } from './closing';
import { headerBoxes } from './header';
import { placeAndDate } from './labels';

const BODY_SIZE = 14;

/** The Decree 30 body: 14 pt, justified, first-line indent 1.27 cm, 6 pt between paragraphs. */
export function decree30BodyProfile(frame: PageFrame): BlockProfile {
  return {
    x: frame.left,
    width: contentWidth(frame),
    size: BODY_SIZE,
    lineHeight: BODY_SIZE * 1.3,
    paragraphSpacing: 6,
    firstIndent: 36,
    level2Indent: 18,
    align: 'justify',
    tableSize: 12,
    tableLineHeight: 12 * 1.2,
  };
}

/** Lays out and paints an official document with the given fonts and line breaker. */
export async function composeOfficialDocument(input: RenderInput, ctx: LayoutContext): Promise<RenderedDocument> {
  const parsed = Body.safeParse(input.body);
  if (!parsed.success) {
    throw new RenderInputError(`the body is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const frame = A4_DECREE_30;
  const doc = { ...input, body: parsed.data };
  try {
    placeAndDate(input.metadata.place, input.metadata.issuedOn);
  } catch (e) {
    throw new RenderInputError(e instanceof Error ? e.message : String(e)); // an impossible issue date
  }
  const header = headerBoxes(doc, frame, ctx);
  const body = blockBoxes(doc.body.blocks, decree30BodyProfile(frame), ctx);
  const lastBody = body[body.length - 1];
  if (lastBody) lastBody.keepWithNext = true; // the signer never stands alone on a page
  const gap = fixedBox(8, 0, () => undefined, true); // header to body: a little more than between paragraphs
  const boxes = [...header, gap, ...body, closingBox(doc, frame, ctx, 14)];

  const { pages, marks } = paginate(boxes, frame);
  pages.forEach((ops, i) => i > 0 && ops.push(pageNumber(i + 1, frame, ctx)));

  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(input.metadata.subject);
  pdf.setAuthor(input.agency.name);
  pdf.setProducer('Liên Thông');
  pdf.setLanguage('vi-VN');
  await paint(pdf, pages, frame, ctx.fonts);
  const bytes = await pdf.save({ objectsPerTick: Infinity }); // the default yields a timer tick every 50 objects
  const signature = marks.find((m) => m.name === 'signature');
  return {
    pdf: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    pageCount: pages.length,
    signerArea: signature ? { page: signature.page, x: signature.x, y: signature.y, width: signature.width, height: signature.height } : null,
  };
}
