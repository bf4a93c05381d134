import type { Queryable } from '../db/pool';

export interface StoredReport {
  year: number;
  quarter: number;
  final: boolean;
  coversTo: string;
  producedAt: Date;
  pdf: Buffer;
  csv: string;
  pdfSha256: string;
}

const COLUMNS = `year, quarter, final, covers_to AS "coversTo", produced_at AS "producedAt", pdf, csv, pdf_sha256 AS "pdfSha256"`;

export async function findFinalReport(db: Queryable, year: number, quarter: number): Promise<StoredReport | undefined> {
  const r = await db.query<StoredReport>(`SELECT ${COLUMNS} FROM quarterly_reports WHERE year = $1 AND quarter = $2 AND final`, [year, quarter]);
  return r.rows[0];
}

/** Keeps the first final report of a quarter: a second producer (another gateway, the job) loses quietly. */
export async function insertFinalReport(db: Queryable, r: StoredReport): Promise<void> {
  await db.query(
    `INSERT INTO quarterly_reports (year, quarter, final, covers_to, produced_at, pdf, csv, pdf_sha256)
     VALUES ($1, $2, true, $3, $4, $5, $6, $7)
     ON CONFLICT (year, quarter) WHERE final DO NOTHING`,
    [r.year, r.quarter, r.coversTo, r.producedAt, r.pdf, r.csv, r.pdfSha256],
  );
}

/** A running quarter's report: one kept per day it covers, the latest production of the day winning. */
export async function upsertToDateReport(db: Queryable, r: StoredReport): Promise<void> {
  await db.query(
    `INSERT INTO quarterly_reports (year, quarter, final, covers_to, produced_at, pdf, csv, pdf_sha256)
     VALUES ($1, $2, false, $3, $4, $5, $6, $7)
     ON CONFLICT (year, quarter, covers_to) WHERE NOT final
     DO UPDATE SET produced_at = EXCLUDED.produced_at, pdf = EXCLUDED.pdf, csv = EXCLUDED.csv, pdf_sha256 = EXCLUDED.pdf_sha256`,
    [r.year, r.quarter, r.coversTo, r.producedAt, r.pdf, r.csv, r.pdfSha256],
  );
}
