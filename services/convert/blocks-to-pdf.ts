import { PDFDocument } from 'pdf-lib';
import { serifFonts } from '../fonts/serif-font';
import type { Block } from '../render/body.schema';
import { type BlockProfile, blockBoxes } from '../render/layout/blocks';
import { A4_DECREE_30, contentWidth } from '../render/layout/geometry';
import { greedyLineBreaker } from '../render/layout/line-breaker';
import { paginate } from '../render/layout/paginate';
import { paint } from '../render/layout/paint';
import type { LayoutContext } from '../render/layout/text-engine';
import { pageNumber } from '../render/layout/page-number';
import { ConvertError } from './convert-errors';
import type { Deadline, ResolvedConvertOptions } from './convert-options';

const FRAME = A4_DECREE_30;

/** Sources are attachments, not official documents: plain A4, 13 pt, left-aligned, no header. */
const SOURCE_PROFILE: BlockProfile = {
  x: FRAME.left,
  width: contentWidth(FRAME),
  size: 13,
  lineHeight: 13 * 1.25,
  paragraphSpacing: 4,
  firstIndent: 0,
  level2Indent: 18,
  align: 'left',
  tableSize: 11,
  tableLineHeight: 11 * 1.2,
};

/** Lays blocks out on A4 with the shipped serif; the page budget is checked before painting. */
export async function blocksToPdf(blocks: Block[], opts: ResolvedConvertOptions, deadline: Deadline): Promise<{ pdf: Buffer; pageCount: number }> {
  const ctx: LayoutContext = { fonts: serifFonts(), breakLines: greedyLineBreaker };
  const printable = blocks.length > 0 ? blocks : [{ type: 'paragraph' as const, text: '' }];
  const boxes = blockBoxes(printable, SOURCE_PROFILE, ctx);
  deadline.check('laying out the text');
  const { pages } = paginate(boxes, FRAME);
  if (pages.length > opts.maxPages) {
    throw new ConvertError('TOO_MANY_PAGES', `the source would print on ${pages.length} pages; at most ${opts.maxPages} are accepted`);
  }
  pages.forEach((ops, i) => i > 0 && ops.push(pageNumber(i + 1, FRAME, ctx)));
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setProducer('Liên Thông');
  await paint(pdf, pages, FRAME, ctx.fonts);
  deadline.check('drawing the pages');
  const bytes = await pdf.save({ objectsPerTick: Infinity });
  return { pdf: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), pageCount: pages.length };
}
