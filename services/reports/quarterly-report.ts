import { createHash } from 'node:crypto';
import { ErrorCode } from '../../contracts';
import type { Queryable } from '../db/pool';
import { DomainError } from '../domain/errors/domain-error';
import { quarterBounds, vnDay, type Quarter } from '../stats/periods';
import { renderQuarterlyCsv } from './quarterly-report.csv';
import { buildQuarterlyReportData } from './quarterly-report.data';
import { renderQuarterlyPdf } from './quarterly-report.pdf';
import { findFinalReport, insertFinalReport, upsertToDateReport, type StoredReport } from './quarterly-report.repository';

/**
 * The quarterly report of design §5, kept once produced.
 * - A quarter that has ended (in Vietnam time) has one final report covering all of it: produced
 *   the first time it is asked for (or by the job), then always served from the table, byte for
 *   byte, whatever happens to the figures later.
 * - The running quarter's report covers it to date (to `now`'s day) and is produced again on each
 *   call; each day's latest one is kept, so the one submitted on the 20th stays on record.
 * - A quarter that has not started has no report.
 */
export async function produceQuarterlyReport(db: Queryable, year: number, quarter: Quarter, now: Date): Promise<StoredReport> {
  const { from, to } = quarterBounds(year, quarter);
  const today = vnDay(now);
  if (today < from) throw new DomainError(ErrorCode.NOT_FOUND, `Quý ${quarter} năm ${year} chưa bắt đầu: chưa có báo cáo.`);
  const final = today > to;
  if (final) {
    const kept = await findFinalReport(db, year, quarter);
    if (kept) return kept;
  }
  const data = await buildQuarterlyReportData(db, year, quarter, final ? to : today, final, now);
  const pdf = await renderQuarterlyPdf(data);
  const report: StoredReport = {
    year,
    quarter,
    final,
    coversTo: data.coversTo,
    producedAt: now,
    pdf,
    csv: renderQuarterlyCsv(data),
    pdfSha256: createHash('sha256').update(pdf).digest('hex'),
  };
  if (!final) {
    await upsertToDateReport(db, report);
    return report;
  }
  await insertFinalReport(db, report);
  // Whoever stored first wins; everyone serves that one.
  return (await findFinalReport(db, year, quarter)) ?? report;
}

export function reportFileName(r: Pick<StoredReport, 'year' | 'quarter' | 'final' | 'coversTo'>, format: 'pdf' | 'csv'): string {
  return `bao-cao-quy-${r.quarter}-${r.year}${r.final ? '' : `-den-${r.coversTo}`}.${format}`;
}
