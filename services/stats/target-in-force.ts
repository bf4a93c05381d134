/** Targets are data (table `targets`): a directive's value with the dates it applies. */
export interface TargetRow {
  scope: string;
  value: number;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export const DOCUMENT_RATE_METRIC = 'edoc_document_rate';
export const PROVINCE_SCOPE = 'province';

/**
 * The target in force on `day` (a period's last day) for `agency` (or the province): among the rows
 * that have started by then and not ended before it, the latest-starting one; an agency's own
 * target beats the province's.
 */
export function targetInForce(rows: readonly TargetRow[], day: string, agency: string | null): number | null {
  const live = rows.filter((r) => r.effectiveFrom <= day && (r.effectiveTo === null || r.effectiveTo >= day));
  const latest = (scope: string) =>
    live.filter((r) => r.scope === scope).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];
  const row = (agency ? latest(agency) : undefined) ?? latest(PROVINCE_SCOPE);
  return row ? row.value : null;
}

/** On track when the exact rate (not the rounded one shown) reaches the target. */
export function onTrack(electronic: number, total: number, target: number | null): boolean | null {
  if (total === 0 || target === null) return null;
  return electronic / total >= target;
}
