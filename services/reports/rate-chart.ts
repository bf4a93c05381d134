import { rgb, type PDFPage } from 'pdf-lib';
import type { SerifFontSet } from '../fonts/serif-font';
import { BLACK, GREY, drawAligned } from '../render/flow/pdf-layout';
import type { MonthBar } from './quarterly-report.data';
import { formatPercent } from './report-format';

const BAR = rgb(0.16, 0.36, 0.67);
const TARGET = rgb(0.8, 0.1, 0.1);
const GRID = rgb(0.85, 0.85, 0.85);

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Bar chart of the document rate by month, drawn with rectangles and lines (no image, so it stays
 * sharp and its labels stay text), with the target as a dashed line across it.
 */
export function drawRateChart(page: PDFPage, fonts: SerifFontSet, box: Box, months: MonthBar[], target: number | null): void {
  const title = 'Tỷ lệ văn bản điện tử theo tháng';
  drawAligned(fonts, page, title, { size: 10, style: 'bold', align: 'center', x: box.x, width: box.width }, box.y + box.height - 10);
  const axisX = box.x + 34;
  const plot = { x: axisX, y: box.y + 22, width: box.x + box.width - axisX - 8, height: box.height - 22 - 26 };
  for (const pct of [0, 25, 50, 75, 100]) {
    const y = plot.y + (plot.height * pct) / 100;
    page.drawLine({ start: { x: plot.x, y }, end: { x: plot.x + plot.width, y }, thickness: 0.4, color: pct === 0 ? BLACK : GRID });
    drawAligned(fonts, page, `${pct}%`, { size: 8, style: 'regular', align: 'right', x: box.x, width: 30, color: GREY }, y - 3);
  }
  const slot = plot.width / Math.max(1, months.length);
  const barWidth = Math.min(48, slot * 0.55);
  months.forEach((m, i) => {
    const cx = plot.x + slot * (i + 0.5);
    drawAligned(fonts, page, `Tháng ${m.month}`, { size: 9, style: 'regular', align: 'center', x: cx - slot / 2, width: slot }, box.y + 8);
    if (m.rate === null) {
      drawAligned(fonts, page, m.total === 0 ? 'chưa có' : '–', { size: 8, style: 'italic', align: 'center', x: cx - slot / 2, width: slot, color: GREY }, plot.y + 4);
      return;
    }
    const h = plot.height * m.rate;
    if (h > 0) page.drawRectangle({ x: cx - barWidth / 2, y: plot.y, width: barWidth, height: h, color: BAR });
    drawAligned(fonts, page, formatPercent(m.rate), { size: 8, style: 'bold', align: 'center', x: cx - slot / 2, width: slot }, plot.y + h + 3);
  });
  if (target !== null) {
    const y = plot.y + plot.height * target;
    page.drawLine({ start: { x: plot.x, y }, end: { x: plot.x + plot.width, y }, thickness: 1.2, color: TARGET, dashArray: [5, 3] });
    const label = `Chỉ tiêu ${formatPercent(target).replace(',00', '')}`;
    drawAligned(fonts, page, label, { size: 8, style: 'bold', align: 'right', x: plot.x, width: plot.width, color: TARGET }, y + 3);
  }
}
