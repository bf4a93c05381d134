import { expect } from 'chai';
import { rgb } from 'pdf-lib';
import type { DrawOp } from '../../../services/render/layout/draw-ops';
import { type PageFrame, a4Frame } from '../../../services/render/layout/geometry';
import { label } from '../../../services/render/layout/label';
import { paginate } from '../../../services/render/layout/paginate';
import { paperParagraph, serifLayout } from '../../../services/render/layout/paper';
import { fixedBox, paragraphBoxes } from '../../../services/render/layout/paragraph';
import { tableBoxes } from '../../../services/render/layout/table';

/** What the engine gained for reports and slips, checked on the laid-out pages (before painting). */

const ctx = serifLayout();
const FRAME = a4Frame('landscape', { top: 36, bottom: 42, left: 40, right: 40 });
const SHADE = rgb(0.9, 0.9, 0.9);

function texts(ops: readonly DrawOp[]): { text: string; x: number; y: number }[] {
  return ops.flatMap((op) => (op.kind === 'text' ? [{ text: op.text, x: op.x, y: op.y }] : op.kind === 'pieces' ? op.pieces.map((p) => ({ ...p, y: op.y })) : []));
}

function style(extra: Partial<Parameters<typeof tableBoxes>[1]> = {}): Parameters<typeof tableBoxes>[1] {
  return {
    x: FRAME.left, width: 300, size: 9, lineHeight: 10.8, padding: 3, border: 0.5, spaceBefore: 0,
    columns: [{ width: 60, align: 'center' }, { width: 160, align: 'left' }, { width: 80, align: 'right' }],
    header: { fill: SHADE },
    ...extra,
  };
}

describe('layout engine: what reports and slips need', () => {
  it('when a table with a header row runs over several pages, then every page starts with the header row, shaded', () => {
    const rows = [['STT', 'Cơ quan', 'Tỷ lệ'], ...Array.from({ length: 120 }, (_, i) => [String(i + 1), `Sở số ${i + 1}`, `${i},00%`])];
    const { pages } = paginate(tableBoxes(rows, style(), ctx), FRAME);
    expect(pages.length).to.be.greaterThan(2);
    pages.forEach((ops, p) => {
      const t = texts(ops);
      const top = Math.max(...t.map((x) => x.y));
      expect(t.filter((x) => x.text === 'Cơ quan').map((x) => x.y), `page ${p + 1}`).to.deep.equal([top]);
      expect(ops.some((op) => op.kind === 'rect' && op.fill === SHADE), `page ${p + 1} shades its header`).to.equal(true);
    });
    const all = pages.flatMap((ops) => texts(ops).map((x) => x.text));
    expect(all.filter((x) => /^Sở số \d+$/.test(x))).to.have.length(120);
  });

  it('when a header row would end a page alone, then it moves to the next page with the first row', () => {
    const filler = fixedBox(FRAME.height - FRAME.top - FRAME.bottom - 20, 0, () => undefined);
    const rows = [['STT', 'Cơ quan', 'Tỷ lệ'], ['1', 'Sở Nội vụ', '62%']];
    const { pages } = paginate([filler, ...tableBoxes(rows, style(), ctx)], FRAME);
    expect(pages).to.have.length(2);
    expect(texts(pages[0] ?? [])).to.deep.equal([]);
    expect(texts(pages[1] ?? []).map((x) => x.text)).to.include.members(['Cơ quan', 'Sở Nội vụ']);
  });

  it('when a row is taller than the room left under a repeated header, then it is split instead of moving on forever', () => {
    const full = FRAME.height - FRAME.top - FRAME.bottom;
    const lines = Math.floor((full - 6) / 10.8); // the row fits an empty page, not a page under the header
    const tall = Array.from({ length: lines }, (_, i) => `dòng${i}`).join('\n');
    const rows = [['STT', 'Cơ quan', 'Tỷ lệ'], ['1', 'Sở Nội vụ', '62%'], ['2', tall, '70%']];
    const { pages } = paginate(tableBoxes(rows, style(), ctx), FRAME);
    const all = pages.flatMap((ops) => texts(ops).map((x) => x.text));
    expect(all.filter((x) => x.startsWith('dòng'))).to.have.length(lines);
    expect(pages.length).to.be.lessThan(4);
  });

  it('when columns are aligned right or centre, then cell text ends at the padding or sits in the middle', () => {
    const { pages } = paginate(tableBoxes([['STT', 'Cơ quan', 'Tỷ lệ'], ['7', 'Sở Nội vụ', '62,50%']], style(), ctx), FRAME);
    const t = texts(pages[0] ?? []);
    const at = (text: string) => t.find((x) => x.text === text)!;
    const right = FRAME.left + 300 - 3;
    expect(at('62,50%').x + ctx.fonts.widthOf('62,50%', 9, 'regular')).to.be.closeTo(right, 0.01);
    expect(at('7').x + ctx.fonts.widthOf('7', 9, 'regular') / 2).to.be.closeTo(FRAME.left + 30, 0.01);
    expect(at('Sở Nội vụ').x).to.be.closeTo(FRAME.left + 60 + 3, 0.01);
  });

  it('when a box asks for a fresh page, then it starts one (a register after its cover), but not on an empty page', () => {
    const cover = paragraphBoxes(paperParagraph(FRAME, { text: 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN', size: 24 }), ctx);
    const table = paragraphBoxes(paperParagraph(FRAME, { text: 'Bảng', size: 12 }), ctx);
    table[0]!.breakBefore = true;
    expect(paginate([...cover, ...table], FRAME).pages).to.have.length(2);
    expect(paginate(table, FRAME).pages).to.have.length(1);
  });

  it('when a landscape A4 frame is made, then it is A4 on its side with the margins given', () => {
    const frame: PageFrame = a4Frame('landscape', { top: 1, bottom: 2, left: 3, right: 4 });
    expect(frame).to.deep.equal({ width: 841.89, height: 595.28, top: 1, bottom: 2, left: 3, right: 4 });
    expect(a4Frame('portrait', { top: 1, bottom: 2, left: 3, right: 4 }).height).to.equal(841.89);
  });

  it('when a label is right-aligned and coloured, then it ends at its space and keeps the colour', () => {
    const grey = rgb(0.45, 0.45, 0.45);
    const op = label('Trang 3/7', { x: 40, width: 500, baseline: 22, size: 8, align: 'right', color: grey }, ctx);
    expect(op.kind).to.equal('text');
    if (op.kind !== 'text') return;
    expect(op.x + ctx.fonts.widthOf('Trang 3/7', 8, 'regular')).to.be.closeTo(540, 0.01);
    expect(op.y).to.equal(22);
    expect(op.color).to.equal(grey);
  });
});
