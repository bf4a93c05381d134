import type { Box, DrawOp, MarkedArea } from '../layout/draw-ops';
import { type PageFrame, contentWidth } from '../layout/geometry';
import { type ParagraphSpec, breakParagraph, placeLines } from '../layout/paragraph';
import type { BrokenLine, LayoutContext } from '../layout/text-engine';
import type { RenderInput } from '../render-input';
import { authorityLine, upper } from './labels';

/** Room for the handwritten or image signature and the seal, between position and name. */
const SIGNATURE_SPACE = 78;
const SIGNER_SIZE = 14;
const SIGNER_LINE = SIGNER_SIZE * 1.2;
const TITLE_SIZE = 12;
const LIST_SIZE = 11;

interface Recipient {
  spec: ParagraphSpec;
  lines: BrokenLine[];
}

/**
 * The closing block: "Nơi nhận:" (12 pt bold italic) and its list (11 pt) ending with "- Lưu: …"
 * on the left; on the right the authority line, the position in bold capitals, the signature space
 * and the signer's name in bold. One box, kept whole; split only when the list outgrows a page.
 */
export function closingBox(input: RenderInput, frame: PageFrame, ctx: LayoutContext, spaceBefore: number): Box {
  const width = contentWidth(frame);
  const leftW = width * 0.44;
  const rightX = frame.left + leftW;
  const rightW = width - leftW;
  const { signer } = input.metadata;

  const listLines = [...(input.body.recipientsText ?? []), copiesLine(input.body.copies)];
  const recipients: Recipient[] = listLines.map((text) => {
    const hang = text.startsWith('- ') ? ctx.fonts.widthOf('- ', LIST_SIZE, 'regular') : 0;
    const spec: ParagraphSpec = { text, size: LIST_SIZE, style: 'regular', align: 'left', x: frame.left, width: leftW - 6, restIndent: hang, lineHeight: LIST_SIZE * 1.2, spaceBefore: 0 };
    return { spec, lines: breakParagraph(spec, ctx) };
  });
  const titleSpec: ParagraphSpec = { text: 'Nơi nhận:', size: TITLE_SIZE, style: 'boldItalic', align: 'left', x: frame.left, width: leftW, lineHeight: TITLE_SIZE * 1.25, spaceBefore: 0 };
  const title = breakParagraph(titleSpec, ctx);

  const signerSpec = (text: string): ParagraphSpec => ({
    text, size: SIGNER_SIZE, style: 'bold', align: 'center', balanced: true, x: rightX, width: rightW, lineHeight: SIGNER_LINE, spaceBefore: 0,
  });
  const authority = authorityLine(signer.authority, signer.position, input.agency.name);
  const upperSpecs = [...(authority ? [signerSpec(authority)] : []), signerSpec(upper(signer.position))];
  const upperLines = upperSpecs.map((s) => breakParagraph(s, ctx));
  const nameSpec = signerSpec(signer.fullName);
  const nameLines = breakParagraph(nameSpec, ctx);
  const upperHeight = upperLines.reduce((h, l) => h + l.length * SIGNER_LINE, 0);
  const signerHeight = upperHeight + SIGNATURE_SPACE + nameLines.length * SIGNER_LINE;

  const flat = recipients.flatMap((r) => r.lines.map((line, i) => ({ r, line, first: i === 0 })));
  const listLine = LIST_SIZE * 1.2;

  const build = (from: number, to: number, withSigner: boolean, before: number): Box => {
    const showTitle = from === 0;
    const leftHeight = (showTitle ? title.length * titleSpec.lineHeight : 0) + (to - from) * listLine;
    const height = Math.max(leftHeight, withSigner ? signerHeight : 0);
    return {
      height,
      spaceBefore: before,
      place(top: number, out: DrawOp[], marks: MarkedArea[]) {
        let y = top;
        if (showTitle) y -= placeLines(title, titleSpec, y, out);
        for (const { r, line, first } of flat.slice(from, to)) {
          // A continuation line of a recipient keeps its hanging indent even across a split.
          placeLines([line], first ? r.spec : { ...r.spec, firstIndent: r.spec.restIndent ?? 0 }, y, out);
          y -= listLine;
        }
        if (!withSigner) return;
        let s = top;
        upperSpecs.forEach((spec, i) => (s -= placeLines(upperLines[i] ?? [], spec, s, out)));
        marks.push({ name: 'signature', x: rightX, y: s - SIGNATURE_SPACE, width: rightW, height: SIGNATURE_SPACE });
        placeLines(nameLines, nameSpec, s - SIGNATURE_SPACE, out);
      },
      split(available: number): [Box, Box] | null {
        const titleH = showTitle ? title.length * titleSpec.lineHeight : 0;
        const fits = Math.floor((available - titleH) / listLine);
        if ((withSigner && available < signerHeight) || fits < 1 || from + fits >= to) return null;
        return [build(from, from + fits, withSigner, before), build(from + fits, to, false, 0)];
      },
    };
  };
  return build(0, flat.length, true, spaceBefore);
}

function copiesLine(copies: string | undefined): string {
  const text = copies?.trim() || 'Lưu: VT.';
  return text.startsWith('-') ? text : `- ${text}`;
}
