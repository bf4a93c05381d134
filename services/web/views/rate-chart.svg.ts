import type { EdocRateGroup } from '../../../contracts';
import { html, type SafeHtml } from './html';
import { percentVi } from '../../labels/labels';

/**
 * The document rate per period as bars against the target line, drawn on the server: the chart
 * needs no script, and colours come from classes (the CSP allows no inline style).
 */
export function rateChart(groups: EdocRateGroup[], target: number | null, o: { id: string; title: string; labelOf: (key: string) => string }): SafeHtml {
  const W = 720;
  const H = 260;
  const left = 44;
  const bottom = 32;
  const top = 16;
  const plotH = H - top - bottom;
  const slot = (W - left - 8) / Math.max(groups.length, 1);
  const barW = Math.min(44, slot * 0.6);
  const y = (r: number) => top + plotH * (1 - r);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${o.id}-t ${o.id}-d" preserveAspectRatio="xMidYMid meet">
<title id="${o.id}-t">${o.title}</title>
<desc id="${o.id}-d">${groups.map((g) => `${o.labelOf(g.key)}: ${g.rate === null ? 'chưa có văn bản' : percentVi(g.rate)}`).join('; ')}${target !== null ? `. Mục tiêu ${percentVi(target)}.` : ''}</desc>
${ticks.map((t) => html`<line class="grid" x1="${left}" x2="${W - 4}" y1="${y(t)}" y2="${y(t)}"/><text class="axis" x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${Math.round(t * 100)}%</text>`)}
${groups.map((g, i) => {
  const cx = left + slot * i + slot / 2;
  const bar = g.rate === null
    ? html`<text class="axis none" x="${cx}" y="${y(0) - 4}" text-anchor="middle">—</text>`
    : html`<rect class="${target !== null && g.rate < target ? 'bar under' : 'bar'}" x="${cx - barW / 2}" y="${y(g.rate)}" width="${barW}" height="${Math.max(plotH * g.rate, 0.5)}"><title>${o.labelOf(g.key)}: ${percentVi(g.rate)} (${g.electronic}/${g.total})</title></rect>
       <text class="value" x="${cx}" y="${y(g.rate) - 4}" text-anchor="middle">${Math.round(g.rate * 100)}</text>`;
  return html`${bar}<text class="axis" x="${cx}" y="${H - bottom + 16}" text-anchor="middle">${o.labelOf(g.key)}</text>`;
})}
${target !== null ? html`<line class="target" x1="${left}" x2="${W - 4}" y1="${y(target)}" y2="${y(target)}"/><text class="target-label" x="${left + 6}" y="${y(target) - 5}" text-anchor="start">Mục tiêu ${percentVi(target)}</text>` : ''}
</svg>`;
}

export function monthLabel(key: string): string {
  return `T${Number(key.slice(5, 7))}`;
}

export function quarterLabel(key: string): string {
  return `Quý ${['I', 'II', 'III', 'IV'][Number(key.slice(-1)) - 1] ?? key}`;
}
