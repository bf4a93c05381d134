import type { Box, DrawOp } from '../layout/draw-ops';
import { type PageFrame, contentWidth } from '../layout/geometry';
import { type ParagraphSpec, breakParagraph, fixedBox, paragraphBoxes, placeLines } from '../layout/paragraph';
import type { BrokenLine, LayoutContext } from '../layout/text-engine';
import type { RenderInput } from '../render-input';
import { isCongVan, placeAndDate, typeName, upper, urgencyMark } from './labels';
import { NATIONAL_MOTTO as MOTTO, NATIONAL_TITLE } from './national-header';

const RULE = 0.6;
const ROW_GAP = 8;

interface Stack {
  specs: ParagraphSpec[];
  lines: BrokenLine[][];
  rules: { after: number; width: number }[];
}

/**
 * Page 1 above the body (Decree 30 annex I): a two-column table with the issuing agency and
 * "Số: …" on the left, the national title, motto and place/date on the right; then the type name
 * and subject centred (for a công văn, "V/v …" under the number instead).
 */
export function headerBoxes(input: RenderInput, frame: PageFrame, ctx: LayoutContext): Box[] {
  const { metadata: meta, agency } = input;
  const width = contentWidth(frame);
  const titleWidth = ctx.fonts.widthOf(NATIONAL_TITLE, 12, 'bold');
  const rightW = Math.max(titleWidth + 12, width * 0.58);
  const leftW = width - rightW;
  const leftX = frame.left;
  const rightX = frame.left + leftW;
  const col = (x: number, w: number, text: string, size: number, style: ParagraphSpec['style']): ParagraphSpec => ({
    text, size, style, x, width: w, align: 'center', balanced: true, lineHeight: size * 1.2, spaceBefore: 0,
  });

  // Row 1: who issues it | the national title and motto.
  const left: ParagraphSpec[] = [];
  if (agency.parentName?.trim()) left.push(col(leftX, leftW, upper(agency.parentName), 13, 'regular'));
  left.push(col(leftX, leftW, upper(agency.name), 13, 'bold'));
  const right = [col(rightX, rightW, NATIONAL_TITLE, 12, 'bold'), col(rightX, rightW, MOTTO, 13, 'bold')];
  const leftStack = stackOf(left, ctx, 0.5);
  const rightStack = stackOf(right, ctx, 1);

  // Row 2: the number | place and date, on one baseline. Then under the number: V/v and urgency.
  const congVan = isCongVan(meta.documentType);
  const numberSpec = col(leftX, leftW, `Số: ${meta.number}/${meta.notation}`, 13, 'regular');
  const dateSpec = col(rightX, rightW, placeAndDate(meta.place, meta.issuedOn), 13, 'italic');
  const under: ParagraphSpec[] = [];
  // Clerks often type the "V/v" themselves: print it once.
  if (congVan) under.push(col(leftX, leftW, /^v\/v\b/i.test(meta.subject.trim()) ? meta.subject.trim() : `V/v ${meta.subject}`, 12, 'regular'));
  const mark = urgencyMark(meta.urgency);
  if (mark) under.push(col(leftX, leftW, mark, 13, 'bold'));
  const numberLines = breakParagraph(numberSpec, ctx);
  const dateLines = breakParagraph(dateSpec, ctx);
  const underLines = under.map((s) => breakParagraph(s, ctx));

  const row1 = Math.max(stackHeight(leftStack), stackHeight(rightStack));
  const row2Left = numberLines.length * numberSpec.lineHeight + under.reduce((h, s, i) => h + 4 + (underLines[i]?.length ?? 0) * s.lineHeight, 0);
  const row2 = Math.max(row2Left, dateLines.length * dateSpec.lineHeight);
  const height = row1 + ROW_GAP + row2;

  const table = fixedBox(height, 0, (top: number, out: DrawOp[]) => {
    placeStack(leftStack, top, out);
    placeStack(rightStack, top, out);
    const row2Top = top - row1 - ROW_GAP;
    let y = row2Top - placeLines(numberLines, numberSpec, row2Top, out);
    under.forEach((spec, i) => {
      y -= 4;
      y -= placeLines(underLines[i] ?? [], spec, y, out);
    });
    placeLines(dateLines, dateSpec, row2Top, out);
  });

  const boxes: Box[] = [table];
  if (!congVan) boxes.push(...titleBoxes(meta.documentType, meta.subject, frame, ctx));
  return boxes;
}

/** The type name ("CHỈ THỊ") and the subject under it, with the short rule Decree 30 draws below. */
function titleBoxes(type: RenderInput['metadata']['documentType'], subject: string, frame: PageFrame, ctx: LayoutContext): Box[] {
  const width = contentWidth(frame);
  const base = { x: frame.left, width, align: 'center' as const, balanced: true, keepWithNext: true };
  const name = paragraphBoxes({ ...base, text: typeName(type), size: 14, style: 'bold', lineHeight: 14 * 1.25, spaceBefore: 20 }, ctx);
  const subjectSpec = { ...base, text: subject, size: 14, style: 'bold' as const, lineHeight: 14 * 1.2, spaceBefore: 0 };
  const subjectBoxes = paragraphBoxes(subjectSpec, ctx);
  const ruleWidth = 0.4 * Math.max(0, ...breakParagraph(subjectSpec, ctx).map((l) => l.width)); // 1/3–1/2 of the line
  const rule = fixedBox(10, 0, (top, out) => {
    const x = frame.left + (width - ruleWidth) / 2;
    out.push({ kind: 'rule', x1: x, y1: top - 5, x2: x + ruleWidth, y2: top - 5, thickness: RULE });
  }, true);
  return [...name, ...subjectBoxes, rule];
}

/** Centred lines stacked in one column, with a short rule under the last paragraph. */
function stackOf(specs: ParagraphSpec[], ctx: LayoutContext, ruleShare: number): Stack {
  const lines = specs.map((s) => breakParagraph(s, ctx));
  const last = lines[lines.length - 1] ?? [];
  const longest = Math.max(0, ...last.map((l) => l.width));
  return { specs, lines, rules: [{ after: specs.length - 1, width: longest * ruleShare }] };
}

function stackHeight(stack: Stack): number {
  return stack.specs.reduce((h, s, i) => h + (stack.lines[i]?.length ?? 0) * s.lineHeight, 0) + 6; // + the rule
}

function placeStack(stack: Stack, top: number, out: DrawOp[]): void {
  let y = top;
  stack.specs.forEach((spec, i) => {
    y -= placeLines(stack.lines[i] ?? [], spec, y, out);
    for (const rule of stack.rules.filter((r) => r.after === i)) {
      const x = spec.x + (spec.width - rule.width) / 2;
      out.push({ kind: 'rule', x1: x, y1: y - 3, x2: x + rule.width, y2: y - 3, thickness: RULE });
    }
  });
}
