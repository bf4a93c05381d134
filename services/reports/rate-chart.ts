import { rgb } from 'pdf-lib';
import type { Box, DrawOp } from '../render/layout/draw-ops';
import { label } from '../render/layout/label';
import { fixedBox } from '../render/layout/paragraph';
import type { LayoutContext } from '../render/layout/text-engine';
import type { MonthBar } from './quarterly-report.data';
import { formatPercent } from './report-format';
import { GREY } from './report-look';

const BLACK = rgb(0, 0, 0);
const BAR = rgb(0.16, 0.36, 0.67);
const TARGET = rgb(0.8, 0.1, 0.1);
const GRID = rgb(0.85, 0.85, 0.85);

export interface ChartPlace {
  x: number;
  width: number;
  height: number;
}

/**
 * Bar chart of the document rate by month as a layout box: rectangles, rules and labels drawn
 * through the paint layer (no image, so it stays sharp and its labels stay text), with the target
 * as a dashed line across it.
 */
export function rateChartBox(place: ChartPlace, months: MonthBar[], target: number | null, ctx: LayoutContext): Box {
  return fixedBox(place.height, 0, (top, out) => drawChart(out, { ...place, y: top - place.height }, months, target, ctx));
}

function drawChart(out: DrawOp[], box: ChartPlace & { y: number }, months: MonthBar[], target: number | null, ctx: LayoutContext): void {
  const text = (t: string, s: Parameters<typeof label>[1]) => out.push(label(t, s, ctx));
  text('Tỷ lệ văn bản điện tử theo tháng', { size: 10, style: 'bold', align: 'center', x: box.x, width: box.width, baseline: box.y + box.height - 10 });
  const axisX = box.x + 34;
  const plot = { x: axisX, y: box.y + 22, width: box.x + box.width - axisX - 8, height: box.height - 22 - 26 };
  for (const pct of [0, 25, 50, 75, 100]) {
    const y = plot.y + (plot.height * pct) / 100;
    out.push({ kind: 'rule', x1: plot.x, y1: y, x2: plot.x + plot.width, y2: y, thickness: 0.4, color: pct === 0 ? BLACK : GRID });
    text(`${pct}%`, { size: 8, align: 'right', x: box.x, width: 30, color: GREY, baseline: y - 3 });
  }
  const slot = plot.width / Math.max(1, months.length);
  const barWidth = Math.min(48, slot * 0.55);
  months.forEach((m, i) => {
    const cx = plot.x + slot * (i + 0.5);
    text(`Tháng ${m.month}`, { size: 9, align: 'center', x: cx - slot / 2, width: slot, baseline: box.y + 8 });
    if (m.rate === null) {
      text(m.total === 0 ? 'chưa có' : '–', { size: 8, style: 'italic', align: 'center', x: cx - slot / 2, width: slot, color: GREY, baseline: plot.y + 4 });
      return;
    }
    const h = plot.height * m.rate;
    if (h > 0) out.push({ kind: 'rect', x: cx - barWidth / 2, y: plot.y, width: barWidth, height: h, fill: BAR });
    text(formatPercent(m.rate), { size: 8, style: 'bold', align: 'center', x: cx - slot / 2, width: slot, baseline: plot.y + h + 3 });
  });
  if (target !== null) {
    const y = plot.y + plot.height * target;
    out.push({ kind: 'rule', x1: plot.x, y1: y, x2: plot.x + plot.width, y2: y, thickness: 1.2, color: TARGET, dash: [5, 3] });
    const caption = `Chỉ tiêu ${formatPercent(target).replace(',00', '')}`;
    text(caption, { size: 8, style: 'bold', align: 'right', x: plot.x, width: plot.width, color: TARGET, baseline: y + 3 });
  }
}
