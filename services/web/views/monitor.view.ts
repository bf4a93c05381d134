import type { Response } from 'express';
import type { EdocRateGroup, EdocRateResponse } from '../../../contracts';
import { html, type SafeHtml } from './html';
import { percentVi } from '../../labels/labels';
import { page } from './layout.view';
import { monthLabel, quarterLabel, rateChart } from './rate-chart.svg';

export type SortKey = 'name' | 'rate' | 'total' | 'dispatchRate';

export interface MonitorData {
  year: number;
  months: EdocRateResponse;
  quarters: EdocRateResponse;
  agencies: EdocRateGroup[];
  sort: SortKey;
  dir: 'asc' | 'desc';
  currentQuarter: number;
}

function rateCell(g: { rate: number | null; target: number | null }): SafeHtml {
  const under = g.rate !== null && g.target !== null && g.rate < g.target;
  return html`<span class="${under ? 'rate under' : 'rate'}">${percentVi(g.rate)}${under ? html` <span class="sr-only">(dưới mục tiêu)</span>` : ''}</span>`;
}

export function placeholder(): SafeHtml {
  return html`<p class="empty">Chưa có dữ liệu thống kê cho khoảng thời gian này.</p>`;
}

export function quarterTable(q: EdocRateResponse): SafeHtml {
  return html`<div class="table-scroll"><table class="list compact"><caption>Theo quý</caption>
<thead><tr><th scope="col">Quý</th><th scope="col">Điện tử</th><th scope="col">Giấy</th><th scope="col">Hỗn hợp</th><th scope="col">Tổng</th><th scope="col">Tỷ lệ văn bản</th><th scope="col">Tỷ lệ bản gửi</th></tr></thead>
<tbody>${q.groups.map(
  (g) => html`<tr><th scope="row" data-label="Quý">${quarterLabel(g.key)}</th><td data-label="Điện tử">${g.electronic}</td><td data-label="Giấy">${g.paper}</td><td data-label="Hỗn hợp">${g.mixed}</td><td data-label="Tổng">${g.total}</td><td data-label="Tỷ lệ văn bản">${rateCell(g)}</td><td data-label="Tỷ lệ bản gửi">${percentVi(g.dispatchRate)}</td></tr>`,
)}</tbody></table></div>`;
}

function sortLink(d: MonitorData, key: SortKey, label: string): SafeHtml {
  const active = d.sort === key;
  const next = active && d.dir === 'asc' ? 'desc' : 'asc';
  return html`<th scope="col"${active ? html` aria-sort="${d.dir === 'asc' ? 'ascending' : 'descending'}"` : ''}><a href="/monitor?year=${d.year}&amp;sort=${key}&amp;dir=${next}">${label}${active ? (d.dir === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`;
}

export function monitorPage(res: Response, d: MonitorData): SafeHtml {
  const t = d.months.totals;
  return page(res, {
    title: 'Thống kê tỷ lệ văn bản điện tử',
    active: '/monitor',
    body: html`<h1>Tỷ lệ văn bản điện tử năm ${d.year}</h1>
<form method="get" action="/monitor" class="filters inline-filters"><div class="field"><label for="year">Năm</label><input id="year" name="year" type="number" min="2012" max="2100" value="${d.year}"></div><button type="submit">Xem</button></form>
<p class="summary">Toàn tỉnh: <strong>${rateCell({ rate: t.rate, target: d.months.target })}</strong> văn bản điện tử (${t.electronic}/${t.total}) · mục tiêu ${percentVi(d.months.target)}
${t.onTrack === false ? html` · <span class="pill late">Chưa đạt</span>` : t.onTrack ? html` · <span class="pill st-completed">Đạt</span>` : ''}
· Báo cáo quý: ${[1, 2, 3, 4].map((q) => html`<a href="/monitor/report/${d.year}/Q${q}">Quý ${['I', 'II', 'III', 'IV'][q - 1]}</a> (<a href="/monitor/report/${d.year}/Q${q}?format=csv" download>CSV</a>) `)}</p>
${t.total === 0 && t.pending === 0 ? placeholder() : ''}
<section class="card"><h2 class="h3">Theo tháng</h2><div class="chart-wrap">${rateChart(d.months.groups, d.months.target, { id: 'months', title: `Tỷ lệ văn bản điện tử theo tháng năm ${d.year}`, labelOf: monthLabel })}</div></section>
<section class="card">${quarterTable(d.quarters)}</section>
<section class="card"><h2 class="h3">Theo cơ quan (cả năm)</h2>
<p class="exports">Xuất bảng: <a href="/monitor/agencies.xlsx?year=${d.year}" download>Excel (.xlsx)</a> · <a href="/monitor/agencies.csv?year=${d.year}" download>CSV</a></p>
<table class="list sortable"><caption class="sr-only">Tỷ lệ theo cơ quan; bấm tiêu đề cột để sắp xếp</caption>
<thead><tr>${sortLink(d, 'name', 'Cơ quan')}${sortLink(d, 'total', 'Tổng văn bản')}${sortLink(d, 'rate', 'Tỷ lệ văn bản')}${sortLink(d, 'dispatchRate', 'Tỷ lệ bản gửi')}</tr></thead>
<tbody>${d.agencies.map(
  (g) => html`<tr${g.onTrack === false ? html` class="is-late"` : ''}><th scope="row" data-label="Cơ quan"><a href="/monitor/agency/${g.key}?year=${d.year}">${g.name ?? g.key}</a></th>
  <td data-label="Tổng">${g.total}</td><td data-label="Tỷ lệ văn bản">${rateCell(g)}</td><td data-label="Tỷ lệ bản gửi">${percentVi(g.dispatchRate)}</td></tr>`,
)}</tbody></table></section>`,
  });
}

export function agencyFiguresPage(res: Response, d: { year: number; code: string; name: string; months: EdocRateResponse; quarters: EdocRateResponse }): SafeHtml {
  const t = d.months.totals;
  return page(res, {
    title: `Thống kê ${d.name}`,
    active: '/monitor',
    body: html`<p><a href="/monitor?year=${d.year}">← Toàn tỉnh</a></p>
<h1>${d.name} — năm ${d.year}</h1>
<p class="summary">Tỷ lệ văn bản điện tử: <strong>${rateCell({ rate: t.rate, target: d.months.target })}</strong> (${t.electronic}/${t.total}); tiếp nhận đúng hạn: ${percentVi(t.onTime.acknowledgedOnTimeRate)}; đúng hạn hoàn thành: ${percentVi(t.onTime.completedOnTimeRate)}</p>
<p class="hint" id="on-time-meaning">Tiếp nhận đúng hạn: văn bản được vào sổ văn bản đến (trạng thái 03) trước hết ngày làm việc tiếp theo ngày văn bản đến — không phải chỉ “đã đến” (01). Hoàn thành đúng hạn: trạng thái 06 trước hết hạn xử lý do lãnh đạo giao, nếu không có thì hạn ghi trên văn bản. Ngày nghỉ cuối tuần, lễ, Tết không tính.</p>
${t.total === 0 && t.pending === 0 ? placeholder() : ''}
<section class="card"><h2 class="h3">Theo tháng</h2><div class="chart-wrap">${rateChart(d.months.groups, d.months.target, { id: 'agency-months', title: `Tỷ lệ văn bản điện tử của ${d.name} theo tháng`, labelOf: monthLabel })}</div></section>
<section class="card">${quarterTable(d.quarters)}</section>`,
  });
}
