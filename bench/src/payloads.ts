import { randomBytes } from 'node:crypto';
import { PDFDocument, PDFName, StandardFonts, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { metadataFor } from '../../test/support/pdf.fixture';

export { makePdf, metadataFor } from '../../test/support/pdf.fixture';

/** The three kinds of the mix (issue 10). */
export type Kind = 'pdf1x5' | 'body1x5' | 'pdf20x50';

/**
 * A one-page PDF with a classic cross-reference table: @signpdf/placeholder-plain cannot read the
 * xref streams pdf-lib writes by default, and both signers must sign the very same bytes.
 */
export async function classicOnePagePdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.TimesRoman);
  pdf.addPage([595.28, 841.89]).drawText('Lien Thong benchmark - page 1', { x: 85, y: 780, size: 13, font });
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

/**
 * A valid PDF of about `bytes`: one page showing one uncompressed RGB image of random pixels
 * (incompressible, so no stage can shrink it), the way a scanned attachment weighs in.
 */
export async function bigPdf(bytes: number): Promise<Buffer> {
  const side = Math.floor(Math.sqrt(bytes / 3));
  const pdf = await PDFDocument.create();
  const image = pdf.context.stream(randomBytes(side * side * 3), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: side,
    Height: side,
    ColorSpace: 'DeviceRGB',
    BitsPerComponent: 8,
  });
  const page = pdf.addPage([595.28, 841.89]);
  page.node.setXObject(PDFName.of('Im0'), pdf.context.register(image));
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(500, 0, 0, 500, 47, 170), drawObject('Im0'), popGraphicsState());
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

const VI_PARAGRAPH =
  'Thực hiện Nghị quyết của Hội đồng nhân dân tỉnh về nhiệm vụ phát triển kinh tế - xã hội năm 2026, ' +
  'Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành và Ủy ban nhân dân các huyện, thị xã, thành phố ' +
  'tập trung chỉ đạo, triển khai đồng bộ các giải pháp cải cách hành chính, nâng cao chất lượng phục vụ ' +
  'người dân và doanh nghiệp, đẩy mạnh ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước.';

/** A one-to-two-page structured body (design §6) with every block type, in Vietnamese. */
export function sampleBody() {
  return {
    blocks: [
      { type: 'paragraph', text: VI_PARAGRAPH },
      { type: 'heading', text: 'I. MỤC TIÊU' },
      { type: 'item', label: '1.', text: VI_PARAGRAPH },
      { type: 'item', label: 'a)', level: 2, text: 'Tỷ lệ văn bản điện tử gửi nhận giữa các cơ quan đạt trên 60%.' },
      { type: 'item', label: 'b)', level: 2, text: 'Hồ sơ công việc được xử lý trên môi trường mạng đúng hạn.' },
      { type: 'heading', text: 'II. NHIỆM VỤ' },
      { type: 'paragraph', text: VI_PARAGRAPH },
      { type: 'table', rows: [['STT', 'Nhiệm vụ', 'Thời hạn'], ['1', 'Rà soát quy trình', '30/6/2026'], ['2', 'Báo cáo kết quả', '15/12/2026']] },
      { type: 'paragraph', text: VI_PARAGRAPH },
    ],
    recipientsText: ['- TT Tỉnh uỷ;', '- Các sở, ban, ngành;'],
    copies: 'Lưu: VT, TH.',
  };
}

/** Metadata for a submission of `kind`; numbers are left to the sender's register. */
export function metadataOf(kind: Kind, recipients: { five: string[]; group50: string }): Record<string, unknown> {
  return metadataFor(kind === 'pdf20x50' ? [`group:${recipients.group50}`] : recipients.five, { issuedOn: '2026-11-28' });
}
