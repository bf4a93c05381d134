import type { Queryable } from '../db/pool';
import type { DocumentOutcomes } from './classify-document';

export type GroupBy = 'quarter' | 'month' | 'agency';

/** How many documents of one group share one combination of outcomes. */
export interface OutcomeTuple extends DocumentOutcomes {
  key: string;
  documents: number;
}

export interface FigureScope {
  /** Inclusive issue dates. */
  from: string;
  to: string;
  /** Agency codes to keep (senders for the rate, recipients for on-time); null: all. */
  agencies: string[] | null;
  groupBy: GroupBy;
}

/** The group key of a row: its issue month or quarter, or the agency column given. */
export function groupKeySql(groupBy: GroupBy, dayColumn: string, agencyColumn: string): string {
  switch (groupBy) {
    case 'month':
      return `to_char(${dayColumn}, 'YYYY-MM')`;
    case 'quarter':
      return `to_char(${dayColumn}, 'YYYY-"Q"Q')`;
    case 'agency':
      return agencyColumn;
  }
}

/**
 * Outcome counts per document for the period, grouped by (key, outcomes) so classification stays in
 * TypeScript (classify-document.ts): read from figure_outcomes (migration 0087), where every
 * accepted document and recorded paper document is counted under its outcome tuple, kept in step
 * by triggers in the transaction of each change. The same answer as reading the ledger
 * (the test oracle documentOutcomeTuplesFromLedger, test/support/figures-oracle) in a few thousand rows instead of every document of the
 * period. The period, the agency filter and the exclusion of sandbox and remote senders apply here.
 */
export async function documentOutcomeTuples(db: Queryable, s: FigureScope): Promise<OutcomeTuple[]> {
  const r = await db.query<OutcomeTuple>(
    `SELECT ${groupKeySql(s.groupBy, 'issued_on', 'sender')} AS key, copies, delivered, paper, failed, signed,
            pipeline_failed AS "pipelineFailed", sum(documents)::int AS documents
       FROM figure_outcomes
      WHERE issued_on BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR sender = ANY($3::text[]))
        AND sender NOT IN (SELECT code FROM agencies WHERE sandbox OR reached_via <> 'local')
      GROUP BY 1, 2, 3, 4, 5, 6, 7
     HAVING sum(documents) <> 0`,
    [s.from, s.to, s.agencies],
  );
  return r.rows;
}
