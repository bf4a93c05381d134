import fs from 'node:fs';
import path from 'node:path';
import { produceQuarterlyReport, reportFileName } from '../../reports/quarterly-report';
import { parseQuarter } from '../../stats/periods';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';

/** lienthong report quarterly YEAR Q1..Q4 [--out DIR]: writes the PDF and the CSV, prints their paths. */
export const reportCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { positionals, options } = parseArgs(rest, { out: 'string' });
  const [yearText, quarterText] = positionals;
  const quarter = quarterText ? parseQuarter(quarterText) : undefined;
  if (sub !== 'quarterly' || !yearText || !/^\d{4}$/.test(yearText) || !quarter) {
    throw new CliUsageError('usage: lienthong report quarterly YEAR Q1..Q4 [--out DIR]');
  }
  const dir = path.resolve(options.out && options.out !== 'true' ? options.out : '.');
  fs.mkdirSync(dir, { recursive: true });
  const report = await produceQuarterlyReport(ctx.db, Number(yearText), quarter, new Date());
  const pdf = path.join(dir, reportFileName(report, 'pdf'));
  const csv = path.join(dir, reportFileName(report, 'csv'));
  fs.writeFileSync(pdf, report.pdf);
  fs.writeFileSync(csv, report.csv, 'utf8');
  ctx.out(
    { pdf, csv, final: report.final, coversTo: report.coversTo, producedAt: report.producedAt.toISOString(), pdfSha256: report.pdfSha256 },
    `${pdf}\n${csv}`,
  );
};
