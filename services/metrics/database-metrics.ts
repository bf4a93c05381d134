import { Gauge, Registry } from 'prom-client';
import type { Db } from '../db/pool';
import { logger } from '../logging/logger';
import { computeEdocRatesOnly } from '../stats/edoc-rate';
import { quarterBounds, quarterOfDay, vnDay } from '../stats/periods';

const log = logger('metrics');

interface Snapshot {
  documents: { status: string; n: number }[];
  dispatches: { status: string; channel: string | null; n: number }[];
  failedDispatches: number;
  /** Pushes still retrying past LIENTHONG_DELIVERY_ALERT_MS (alerted, not yet delivered or failed). */
  failingDispatches: number;
  certificates: { agency: string; notAfter: Date }[];
}

/**
 * Gauges computed from PostgreSQL when scraped. One scrape runs four grouped counts (cached for
 * `ttlMs`, so several Prometheus servers or a short interval do not multiply the load) and the
 * current quarter's rates (cached longer: they move slowly and cost more).
 */
export function createDatabaseRegistry(db: Db, opts: { ttlMs?: number; rateTtlMs?: number } = {}): Registry {
  const registry = new Registry();
  const snapshot = cached(opts.ttlMs ?? 15_000, () => loadSnapshot(db));
  const rates = cached(opts.rateTtlMs ?? 300_000, () => loadRates(db));

  new Gauge({
    name: 'lienthong_documents_total',
    help: 'Documents by status (a count of rows now, not a counter)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const r of s?.documents ?? []) this.set({ status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'lienthong_dispatches_total',
    help: 'Dispatches (recipient copies) by status and channel',
    labelNames: ['status', 'channel'] as const,
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const r of s?.dispatches ?? []) this.set({ status: r.status, channel: r.channel ?? 'unrouted' }, r.n);
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
    db.query(`SELECT status, count(*)::int AS n FROM documents GROUP BY status`),
    db.query(`SELECT status, channel, count(*)::int AS n FROM dispatches GROUP BY status, channel`),
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
 * Memoises an async loader for `ttlMs`. A failed load (database down) is logged and yields
 * undefined, so the scrape still answers with the process metrics instead of failing whole.
 */
function cached<T>(ttlMs: number, load: () => Promise<T>): () => Promise<T | undefined> {
  let at = 0;
  let value: Promise<T | undefined> | undefined;
  return () => {
    if (!value || Date.now() - at > ttlMs) {
      at = Date.now();
      value = load().catch((err: Error) => {
        log.warn({ err }, 'metrics query failed');
        at = 0;
        return undefined;
      });
    }
    return value;
  };
}
