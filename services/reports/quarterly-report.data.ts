import type { EdocRateCounts, EdocRateGroup } from '../../contracts';
import type { Queryable } from '../db/pool';
import { computeEdocRate } from '../stats/edoc-rate';
import { periodsBetween, quarterBounds, type Quarter } from '../stats/periods';

export interface MonthBar {
  key: string;
  month: number;
  rate: number | null;
  total: number;
}

/** Everything a quarterly report shows, computed once and rendered to PDF and CSV alike. */
export interface QuarterlyReportData {
  year: number;
  quarter: Quarter;
  from: string;
  coversTo: string;
  /** Produced after the quarter ended: covers all of it and is never produced again. */
  final: boolean;
  producedAt: Date;
  target: number | null;
  province: EdocRateCounts & { onTrack: boolean | null };
  /** Every agency of the directory, so one that sent nothing shows as such. */
  agencies: EdocRateGroup[];
  /** The quarter's three months; months after `coversTo` have no figures. */
  months: MonthBar[];
  /** The ledger's newest row when produced: a copy of it outside the database reveals a cut tail. */
  ledgerHead: { id: number; hash: string } | null;
  /** The newest RFC 3161 anchor of each ledger chain when produced (issue 21): attached to the PDF. */
  anchors: ReportAnchor[];
}

export interface ReportAnchor {
  chain: string;
  rowId: number;
  rowHash: string;
  genTime: Date;
  token: Buffer;
}

export async function buildQuarterlyReportData(
  db: Queryable,
  year: number,
  quarter: Quarter,
  coversTo: string,
  final: boolean,
  producedAt: Date,
): Promise<QuarterlyReportData> {
  const { from, to } = quarterBounds(year, quarter);
  // The province's own agencies: those of a peer hub or known through the national axis are not measured here (issue 22).
  const directory = await db.query<{ code: string }>(`SELECT code FROM agencies WHERE NOT sandbox AND reached_via = 'local' ORDER BY code`);
  const base = { from, to: coversTo, filter: null, asOf: producedAt };
  const [byAgency, byMonth, head, anchors] = await Promise.all([
    computeEdocRate(db, { ...base, groupBy: 'agency', listAgencies: directory.rows.map((r) => r.code) }),
    computeEdocRate(db, { ...base, groupBy: 'month' }),
    db.query<{ id: number; hash: string }>(`SELECT id, hash FROM ledger ORDER BY id DESC LIMIT 1`),
    db.query<ReportAnchor>(`SELECT DISTINCT ON (chain) chain, row_id::int AS "rowId", row_hash AS "rowHash", gen_time AS "genTime", token
                              FROM ledger_anchors WHERE gen_time <= $1 ORDER BY chain, row_id DESC`, [producedAt]),
  ]);
  const months = periodsBetween(from, to, 'month').map((p): MonthBar => {
    const g = byMonth.groups.find((x) => x.key === p.key);
    return { key: p.key, month: Number(p.key.slice(5, 7)), rate: g?.rate ?? null, total: g?.total ?? 0 };
  });
  return {
    year,
    quarter,
    from,
    coversTo,
    final,
    producedAt,
    target: byAgency.target,
    province: byAgency.totals,
    agencies: byAgency.groups,
    months,
    ledgerHead: head.rows[0] ?? null,
    anchors: anchors.rows,
  };
}
