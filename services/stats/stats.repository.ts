import type { Queryable } from '../db/pool';
import { DOCUMENT_RATE_METRIC, type TargetRow } from './target-in-force';

export async function loadTargets(db: Queryable, metric = DOCUMENT_RATE_METRIC): Promise<TargetRow[]> {
  const r = await db.query(
    `SELECT scope, value::float8 AS value, effective_from AS "effectiveFrom", effective_to AS "effectiveTo"
       FROM targets WHERE metric = $1`,
    [metric],
  );
  return r.rows;
}

export async function loadHolidays(db: Queryable, from: string, to: string): Promise<Set<string>> {
  const r = await db.query<{ day: string }>(`SELECT day FROM public_holidays WHERE day BETWEEN $1 AND $2`, [from, to]);
  return new Set(r.rows.map((x) => x.day));
}

export async function agencyNames(db: Queryable, codes: string[] | null): Promise<Map<string, string>> {
  const r = await db.query<{ code: string; name: string }>(
    `SELECT code, name FROM agencies WHERE ($1::text[] IS NULL AND reached_via = 'local') OR code = ANY($1::text[]) ORDER BY code`,
    [codes],
  );
  return new Map(r.rows.map((x) => [x.code, x.name]));
}
