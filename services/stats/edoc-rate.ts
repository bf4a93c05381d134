import { ErrorCode, type EdocRateCounts, type EdocRateGroup, type EdocRateResponse, type OnTimeFigures } from '../../contracts';
import type { Queryable } from '../db/pool';
import { findAgency, findGroups } from '../domain/agencies/agency.repository';
import { DomainError } from '../domain/errors/domain-error';
import { classifyDocument, countedCopies, electronicCopies } from './classify-document';
import { documentOutcomeTuples, type FigureScope, type GroupBy, type OutcomeTuple } from './edoc-rate.query';
import { onTimeByKey, type OnTimeCounts } from './on-time.query';
import { addDays, periodsBetween, vnDay } from './periods';
import { agencyNames, loadHolidays, loadTargets } from './stats.repository';
import { onTrack, targetInForce } from './target-in-force';

export interface EdocRateRequest {
  from: string;
  to: string;
  /** An agency code, `group:<id>`, or null for the whole province (already authorised). */
  filter: string | null;
  groupBy: GroupBy;
  /** The moment deadlines are judged at: now, or the end of what a report covers. */
  asOf: Date;
  /** With groupBy agency: agencies listed even without activity (a report lists the directory). */
  listAgencies?: string[];
}

/** Rates are shown with four decimals; onTrack compares the exact fraction. */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function ratio(n: number, d: number): number | null {
  return d === 0 ? null : round4(n / d);
}

/** The e-document rate, dispatch rate and on-time figures of design §5 for one scope and period. */
export async function computeEdocRate(db: Queryable, req: EdocRateRequest): Promise<EdocRateResponse> {
  const agencies = await resolveFilter(db, req.filter);
  const scope: FigureScope = { from: req.from, to: req.to, agencies, groupBy: req.groupBy };
  const targets = await loadTargets(db);
  const [tuples, onTime] = await Promise.all([
    documentOutcomeTuples(db, scope),
    onTimeByKey(db, scope, req.asOf),
  ]);

  const { byKey, totals } = countByKey(tuples);
  const allOnTime = sumOnTime([...onTime.values()]);
  const single = req.filter && !req.filter.startsWith('group:') ? req.filter : null;

  let groups: EdocRateGroup[];
  if (req.groupBy === 'agency') {
    const keys = new Set([...byKey.keys(), ...onTime.keys(), ...(req.listAgencies ?? []), ...(agencies ?? [])]);
    const names = await agencyNames(db, [...keys]);
    groups = [...keys].sort().map((key) => {
      const c = byKey.get(key) ?? new Counter();
      const target = targetInForce(targets, req.to, key);
      return { key, name: names.get(key) ?? key, ...c.view(onTime.get(key)), target, onTrack: onTrack(c.electronic, c.total, target) };
    });
  } else {
    groups = periodsBetween(req.from, req.to, req.groupBy).map((p) => {
      const c = byKey.get(p.key) ?? new Counter();
      const target = targetInForce(targets, p.to, single);
      return { key: p.key, ...c.view(onTime.get(p.key)), target, onTrack: onTrack(c.electronic, c.total, target) };
    });
  }
  const target = targetInForce(targets, req.to, single);
  return {
    from: req.from,
    to: req.to,
    agency: req.filter,
    groupBy: req.groupBy,
    periodBasis: 'issued_on',
    target,
    totals: { ...totals.view(allOnTime), onTrack: onTrack(totals.electronic, totals.total, target) },
    groups,
  };
}

/**
 * The e-document rate alone, per group and for all, from the outcome rollup: for the `/metrics`
 * gauge, which computes it every few minutes. computeEdocRate also computes the on-time figures,
 * which read every copy of the period still unregistered (`figure_copies`): a cost that grows
 * with the quarter's traffic, and each round grew the pooled PostgreSQL backend that ran it by
 * several MB of retained heap (eighteenth session's soak). The rates are the same numbers
 * computeEdocRate gives (test/integration/ledger/figure-outcomes-rollup.test.ts).
 */
export async function computeEdocRatesOnly(
  db: Queryable,
  req: Pick<EdocRateRequest, 'from' | 'to' | 'groupBy'>,
): Promise<{ groups: [string, number | null][]; total: number | null }> {
  const tuples = await documentOutcomeTuples(db, { from: req.from, to: req.to, agencies: null, groupBy: req.groupBy });
  const { byKey, totals } = countByKey(tuples);
  return {
    groups: [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, c]) => [key, ratio(c.electronic, c.total)]),
    total: ratio(totals.electronic, totals.total),
  };
}

/** The outcome tuples counted per group key and in all. */
function countByKey(tuples: OutcomeTuple[]): { byKey: Map<string, Counter>; totals: Counter } {
  const byKey = new Map<string, Counter>();
  const totals = new Counter();
  for (const t of tuples) {
    (byKey.get(t.key) ?? byKey.set(t.key, new Counter()).get(t.key)!).add(t);
    totals.add(t);
  }
  return { byKey, totals };
}

async function resolveFilter(db: Queryable, filter: string | null): Promise<string[] | null> {
  if (filter === null) return null;
  if (filter.startsWith('group:')) {
    const group = (await findGroups(db, [filter.slice('group:'.length)]))[0];
    if (!group) throw new DomainError(ErrorCode.NOT_FOUND, `Không có nhóm ${filter}.`, [{ path: 'agency' }]);
    return group.members;
  }
  if (!(await findAgency(db, filter))) throw new DomainError(ErrorCode.NOT_FOUND, `Không có cơ quan ${filter} trong danh bạ.`, [{ path: 'agency' }]);
  return [filter];
}

class Counter {
  electronic = 0;
  paper = 0;
  mixed = 0;
  pending = 0;
  dispatches = 0;
  electronicDispatches = 0;

  get total(): number {
    return this.electronic + this.paper + this.mixed;
  }

  add(t: OutcomeTuple): void {
    const category = classifyDocument(t);
    if (category === 'pending') {
      this.pending += t.documents;
      return;
    }
    this[category] += t.documents;
    this.dispatches += countedCopies(t) * t.documents;
    this.electronicDispatches += electronicCopies(t) * t.documents;
  }

  view(onTime: OnTimeCounts | undefined): EdocRateCounts {
    return {
      electronic: this.electronic,
      paper: this.paper,
      mixed: this.mixed,
      total: this.total,
      rate: ratio(this.electronic, this.total),
      dispatchRate: ratio(this.electronicDispatches, this.dispatches),
      dispatches: this.dispatches,
      electronicDispatches: this.electronicDispatches,
      pending: this.pending,
      onTime: onTimeFigures(onTime ?? sumOnTime([])),
    };
  }
}

function sumOnTime(list: OnTimeCounts[]): OnTimeCounts {
  const s: OnTimeCounts = { dispatches: 0, acknowledged: 0, acknowledgedOnTime: 0, withDueDate: 0, completed: 0, completedOnTime: 0 };
  for (const c of list) for (const k of Object.keys(s) as (keyof OnTimeCounts)[]) s[k] += c[k];
  return s;
}

function onTimeFigures(c: OnTimeCounts): OnTimeFigures {
  return {
    ...c,
    acknowledgedOnTimeRate: ratio(c.acknowledgedOnTime, c.dispatches),
    completedOnTimeRate: ratio(c.completedOnTime, c.withDueDate),
  };
}
