import { Router } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { DomainError } from '../../domain/errors/domain-error';
import { produceQuarterlyReport, reportFileName } from '../../reports/quarterly-report';
import { parseQuarter } from '../../stats/periods';
import { authorizeProvinceReport } from '../../stats/stats-access';
import { principalOf } from '../middleware/authenticate';

export function reportsRoutes(db: Db): Router {
  const router = Router();
  /** The quarterly report (PDF, or ?format=csv); quarter as Q1..Q4 or 1..4. Monitors only. */
  router.get('/v1/reports/quarterly/:year/:quarter', async (req, res) => {
    authorizeProvinceReport(principalOf(res));
    const year = /^\d{4}$/.test(req.params.year!) ? Number(req.params.year) : NaN;
    const quarter = parseQuarter(req.params.quarter!);
    const format = req.query.format ?? 'pdf';
    if (!(year >= 2000 && year <= 2100) || !quarter) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Đường dẫn dạng /v1/reports/quarterly/2026/Q4.', [{ path: 'quarter' }]);
    }
    if (format !== 'pdf' && format !== 'csv') {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'format là pdf hoặc csv.', [{ path: 'query.format' }]);
    }
    const report = await produceQuarterlyReport(db, year, quarter, new Date());
    const body = format === 'pdf' ? report.pdf : Buffer.from(report.csv, 'utf8');
    res.setHeader('Content-Type', format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8');
    res.setHeader('Content-Length', String(body.length));
    res.setHeader('Content-Disposition', `attachment; filename="${reportFileName(report, format)}"`);
    res.setHeader('X-Report-Final', String(report.final));
    res.setHeader('X-Report-Covers-To', report.coversTo);
    res.setHeader('X-Report-Produced-At', report.producedAt.toISOString());
    res.setHeader('Cache-Control', report.final ? 'private, max-age=86400' : 'no-store');
    res.end(body);
  });
  return router;
}
