import { Gauge, Registry } from 'prom-client';
import { inTransaction, type Db } from '../db/pool';
import { logger } from '../logging/logger';
import { computeEdocRatesOnly } from '../stats/edoc-rate';
import { quarterBounds, quarterOfDay, vnDay } from '../stats/periods';

const log = logger('metrics');

/** What changes by the second: open work, failures, certificates. Counted from partial indexes. */
interface Snapshot {
  /** Documents still in the pipeline (accepted, converted, signed), by status. */
  documents: { status: string; n: number }[];
  /** Copies still open (pending, delivering), by status and channel. */
  dispatches: { status: string; channel: string | null; n: number }[];
  failedDispatches: number;
  /** Pushes still retrying past LIENTHONG_DELIVERY_ALERT_MS (alerted, not yet delivered or failed). */
  failingDispatches: number;
  certificates: { agency: string; notAfter: Date }[];
}

/** The settled rows (out of the pipeline, copies no longer open), by status: counted by a full scan. */
interface Settled {
  documents: { status: string; n: number }[];
  dispatches: { status: string; channel: string | null; n: number }[];
}

/**
 * The share of one core the settled counts may take: they are recounted when their last count is
 * older than the scrape cache AND older than its own duration divided by this (1%: a count that
 * took 0.4 s, as at 600,000 copies on a slow machine, is reused for 40 s; at 5,000,000 copies, a
 * few minutes).
 */
const SETTLED_CPU_SHARE = 0.01;

/**
 * Gauges computed from PostgreSQL when scraped, cached for `ttlMs` (so several Prometheus servers
 * or a short interval do not multiply the load). Open work (documents in the pipeline, copies
 * pending or delivering, failed and failing copies) is counted from partial indexes whose size is
 * the work in flight, fresh every `ttlMs`. The settled rows, nearly all of a province's history,
 * take a full scan of `documents` and `dispatches`: they are recounted at most as often as keeps
 * that scan under SETTLED_CPU_SHARE of a core (measured on each count), so the cost of a scrape
 * does not grow with the years of data. The current quarter's rates are cached longer still.
 */
export function createDatabaseRegistry(db: Db, opts: { ttlMs?: number; rateTtlMs?: number; settledShare?: number } = {}): Registry {
  const registry = new Registry();
  const ttlMs = opts.ttlMs ?? 15_000;
  const snapshot = cached(ttlMs, () => loadSnapshot(db));
  const settled = cached(ttlMs, () => loadSettled(db), { share: opts.settledShare ?? SETTLED_CPU_SHARE });
  const rates = cached(opts.rateTtlMs ?? 300_000, () => loadRates(db));

  new Gauge({
    name: 'lienthong_documents_total',
    help: 'Documents by status (a count of rows, not a counter): those in the pipeline counted every scrape, the others recounted less often when counting them is slow (at most 1% of a core)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const [s, t] = await Promise.all([snapshot(), settled()]);
      this.reset();
      for (const r of [...(s?.documents ?? []), ...(t?.documents ?? [])]) this.set({ status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'lienthong_dispatches_total',
    help: 'Dispatches (recipient copies) by status and channel: open ones (pending, delivering) counted every scrape, the others recounted less often when counting them is slow (at most 1% of a core)',
    labelNames: ['status', 'channel'] as const,
    registers: [registry],
    async collect() {
      const [s, t] = await Promise.all([snapshot(), settled()]);
      this.reset();
      for (const r of [...(s?.dispatches ?? []), ...(t?.dispatches ?? [])]) this.set({ status: r.status, channel: r.channel ?? 'unrouted' }, r.n);
    },
  });
  new Gauge({
    name: 'lienthong_failed_dispatches',
    help: 'Dispatches that failed after their retry budget and wait for an operator',
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (s) this.set(s.failedDispatches);
    },
  });
  new Gauge({
    name: 'lienthong_dispatches_failing_long',
    help: 'Push deliveries still retrying after the alert time (LIENTHONG_DELIVERY_ALERT_MS); each was alerted once',
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (s) this.set(s.failingDispatches);
    },
  });
  new Gauge({
    name: 'lienthong_certificate_expiry_seconds',
    help: "Seconds until the agency's newest unrevoked signing certificate expires (negative: expired)",
    labelNames: ['agency'] as const,
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      const now = Date.now();
      for (const c of s?.certificates ?? []) this.set({ agency: c.agency }, Math.round((c.notAfter.getTime() - now) / 1000));
    },
  });
  new Gauge({
    name: 'lienthong_edoc_rate',
    help: 'E-document rate of the current quarter to date, by sending agency (agency="province": all)',
    labelNames: ['agency'] as const,
    registers: [registry],
    async collect() {
      const r = await rates();
      this.reset();
      for (const [agency, rate] of r ?? []) this.set({ agency }, rate);
    },
  });
  return registry;
}

async function loadSnapshot(db: Db): Promise<Snapshot> {
  const [documents, dispatches, failed, certificates, failing] = await Promise.all([
    db.query(`SELECT status, count(*)::int AS n FROM documents WHERE status = ANY (lienthong_in_flight_document_statuses()) GROUP BY status`),
    db.query(`SELECT status, channel, count(*)::int AS n FROM dispatches WHERE open GROUP BY status, channel`),
    db.query(`SELECT count(*)::int AS n FROM dispatches WHERE status = 'failed'`),
    db.query(
      `SELECT agency_code AS agency, max(not_after) AS "notAfter" FROM agency_certificates WHERE revoked_at IS NULL GROUP BY agency_code`,
    ),
    db.query(`SELECT count(*)::int AS n FROM dispatches WHERE alerted_at IS NOT NULL AND status = ANY (lienthong_open_dispatch_statuses())`),
  ]);
  return {
    documents: documents.rows,
    dispatches: dispatches.rows,
    failedDispatches: failed.rows[0]?.n ?? 0,
    failingDispatches: failing.rows[0]?.n ?? 0,
    certificates: certificates.rows,
  };
}

/**
 * Without parallel workers: PostgreSQL would scan a large table with two helpers beside the
 * backend, taking every core of a small machine from the pipeline for the scan's duration; alone,
 * the scan costs the same CPU on one core, and the duration the budget is measured from is its own.
 */
async function loadSettled(db: Db): Promise<Settled> {
  return inTransaction(db, async (tx) => {
    await tx.query(`SET LOCAL max_parallel_workers_per_gather = 0`);
    const documents = await tx.query(`SELECT status, count(*)::int AS n FROM documents WHERE status <> ALL (lienthong_in_flight_document_statuses()) GROUP BY status`);
    const dispatches = await tx.query(`SELECT status, channel, count(*)::int AS n FROM dispatches WHERE NOT open GROUP BY status, channel`);
    return { documents: documents.rows, dispatches: dispatches.rows };
  });
}

async function loadRates(db: Db): Promise<[string, number][]> {
  const now = new Date();
  const today = vnDay(now);
  const { year, quarter } = quarterOfDay(today);
  const r = await computeEdocRatesOnly(db, { from: quarterBounds(year, quarter).from, to: today, groupBy: 'agency' });
  const out = r.groups.filter((g): g is [string, number] => g[1] !== null);
  if (r.total !== null) out.push(['province', r.total]);
  return out;
}

/**
 * Memoises an async loader for `ttlMs`, or with `share`, for longer when a load is slow: for its
 * duration divided by `share`, so that reloading takes at most that share of the time. A failed
 * load (database down) is logged and yields undefined, so the scrape still answers with the
 * process metrics instead of failing whole.
 */
export function cached<T>(ttlMs: number, load: () => Promise<T>, opts: { share?: number } = {}): () => Promise<T | undefined> {
  let at = 0;
  let ttl = ttlMs;
  let value: Promise<T | undefined> | undefined;
  return () => {
    if (!value || Date.now() - at > ttl) {
      const started = Date.now();
      at = started;
      value = load().then(
        (v) => {
          if (opts.share) ttl = Math.max(ttlMs, (Date.now() - started) / opts.share);
          return v;
        },
        (err: Error) => {
          log.warn({ err }, 'metrics query failed');
          at = 0;
          return undefined;
        },
      );
    }
    return value;
  };
}
