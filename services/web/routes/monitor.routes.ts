import { param } from './params';
import { Router } from 'express';
import { ErrorCode, type EdocRateGroup } from '../../../contracts';
import type { Db } from '../../db/pool';
import { findAgency } from '../../domain/agencies/agency.repository';
import { DomainError } from '../../domain/errors/domain-error';
import { produceQuarterlyReport, reportFileName } from '../../reports/quarterly-report';
import { computeEdocRate } from '../../stats/edoc-rate';
import { parseQuarter, quarterOfDay, vnDay } from '../../stats/periods';
import { allow } from '../security/access-policy';
import { VI_COLLATOR } from '../../labels/labels';
import { AGENCY_RATE_COLUMNS } from '../../export/agency-rate-columns';
import { sendTable } from './send-export';
import { agencyFiguresPage, monitorPage, type SortKey } from '../views/monitor.view';

const SORTS: SortKey[] = ['name', 'rate', 'total', 'dispatchRate'];

function yearOf(q: unknown): number {
  const now = Number(vnDay(new Date()).slice(0, 4));
  const y = typeof q === 'string' && /^\d{4}$/.test(q) ? Number(q) : now;
  return y >= 2012 && y <= now + 1 ? y : now;
}

function sortAgencies(rows: EdocRateGroup[], key: SortKey, dir: 'asc' | 'desc'): EdocRateGroup[] {
  const val = (g: EdocRateGroup): number | string => (key === 'name' ? (g.name ?? g.key) : (g[key] ?? -1));
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    return sign * (typeof x === 'string' ? VI_COLLATOR.compare(x, String(y)) : x - (y as number));
  });
}

/** The monitors' figures, from the stats service: every agency's figures, never a document. */
export function monitorRoutes(db: Db): Router {
  const router = Router();

  router.get('/monitor', allow('figures.read'), async (req, res) => {
    const year = yearOf(req.query.year);
    const range = { from: `${year}-01-01`, to: `${year}-12-31`, filter: null, asOf: new Date() };
    const [months, quarters, agencies] = await Promise.all([
      computeEdocRate(db, { ...range, groupBy: 'month' }),
      computeEdocRate(db, { ...range, groupBy: 'quarter' }),
      computeEdocRate(db, { ...range, groupBy: 'agency' }),
    ]);
    const sort = SORTS.includes(req.query.sort as SortKey) ? (req.query.sort as SortKey) : 'rate';
    const dir = req.query.dir === 'desc' ? 'desc' : 'asc';
    res.type('html').send(
      monitorPage(res, { year, months, quarters, agencies: sortAgencies(agencies.groups, sort, dir), sort, dir, currentQuarter: quarterOfDay(vnDay(new Date())).quarter }).value,
    );
  });

  router.get('/monitor/agencies.:format', allow('figures.read'), async (req, res) => {
    const format = param(req, 'format');
    if (format !== 'xlsx' && format !== 'csv') throw new DomainError(ErrorCode.NOT_FOUND, 'Không có định dạng này.');
    const year = yearOf(req.query.year);
    const agencies = await computeEdocRate(db, { from: `${year}-01-01`, to: `${year}-12-31`, filter: null, asOf: new Date(), groupBy: 'agency' });
    const rows = sortAgencies(agencies.groups, 'name', 'asc');
    await sendTable(res, format, { sheet: `Năm ${year}`, title: `Tỷ lệ văn bản điện tử theo cơ quan, năm ${year}`, columns: AGENCY_RATE_COLUMNS, rows }, `ty-le-van-ban-dien-tu-${year}`);
  });

  router.get('/monitor/agency/:code', allow('figures.read'), async (req, res) => {
    const agency = /^[0-9A-Z.]{1,35}$/.test(param(req, "code")) ? await findAgency(db, param(req, "code")) : undefined;
    if (!agency) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có cơ quan này.');
    const year = yearOf(req.query.year);
    const range = { from: `${year}-01-01`, to: `${year}-12-31`, filter: agency.code, asOf: new Date() };
    const [months, quarters] = await Promise.all([computeEdocRate(db, { ...range, groupBy: 'month' }), computeEdocRate(db, { ...range, groupBy: 'quarter' })]);
    res.type('html').send(agencyFiguresPage(res, { year, code: agency.code, name: agency.name, months, quarters }).value);
  });

  router.get('/monitor/report/:year/:quarter', allow('figures.read'), async (req, res) => {
    const year = /^\d{4}$/.test(param(req, "year")) ? Number(param(req, "year")) : NaN;
    const quarter = parseQuarter(param(req, "quarter"));
    if (!(year >= 2012 && year <= 2100) || !quarter) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có báo cáo này.');
    const format = req.query.format === 'csv' ? 'csv' : 'pdf';
    const report = await produceQuarterlyReport(db, year, quarter, new Date());
    const body = format === 'pdf' ? report.pdf : Buffer.from(report.csv, 'utf8');
    res.setHeader('Content-Type', format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `${format === 'pdf' ? 'inline' : 'attachment'}; filename="${reportFileName(report, format)}"`);
    res.end(body);
  });

  return router;
}
