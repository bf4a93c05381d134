import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { logger } from '../../logging/logger';
import { dbRevocationCache } from '../../pki/revocation/revocation-store';
import type { LtvContext } from '../../signing/ltv/signature-levels';
import { ValidationDataCollector } from '../../signing/ltv/validation-data';
import { timestampOptionsFromConfig, type TimestampOptions } from '../../signing/pades-signer';
import { documentsDueForRenewal, renewDocument, type RenewalResult } from './signature-renewal';

const log = logger('renewal');
// Any constant: one process at a time runs the scheduled renewal.
const RENEWAL_LOCK = 7_315_050;
const DAY_MS = 24 * 3600_000;

/** What renewals need: the TSA (the configured one unless given) and validation data from the revocation cache. */
export function renewalContext(db: Db, config: Config, tsa?: TimestampOptions): LtvContext | null {
  const timestamp = tsa ?? timestampOptionsFromConfig({ ...config, LIENTHONG_TSA_POLICY: 'retry' });
  if (!timestamp) return null;
  const collector = new ValidationDataCollector({ cache: dbRevocationCache(db), timeoutMs: config.LIENTHONG_REVOCATION_TIMEOUT_MS });
  return { collector, anchors: [], tsa: timestamp };
}

/**
 * One look, under an advisory lock (several worker processes may run this): every document whose
 * newest timestamp's TSA certificate expires within the margin gets a new document timestamp.
 * A document that fails is logged and left for the next look; the others go on.
 */
export async function renewalTick(db: Db, ctx: LtvContext, marginDays: number, now = new Date(), batch = 100): Promise<RenewalResult[]> {
  const client = await db.connect();
  try {
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RENEWAL_LOCK]);
    if (!got.rows[0]!.ok) return [];
    try {
      const due = await documentsDueForRenewal(db, new Date(now.getTime() + marginDays * DAY_MS), batch);
      const out: RenewalResult[] = [];
      for (const id of due) {
        try {
          const r = await renewDocument(db, id, ctx, { reason: `scheduled: the newest timestamp's TSA certificate expires within ${marginDays} days`, requireLonger: true });
          if (r.renewed) log.info({ documentId: id, timestampExpiresAt: r.timestampExpiresAt, missing: r.missing }, 'document timestamp renewed');
          else log.warn({ documentId: id, why: r.skipped }, 'ALERT document timestamp not renewed');
          out.push(r);
        } catch (err) {
          log.error({ err, documentId: id }, 'ALERT document timestamp renewal failed; the next look tries again');
        }
      }
      return out;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [RENEWAL_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** In the worker process, every LIENTHONG_RENEWAL_CHECK_MS (off when 0 or without a TSA). */
export function startRenewalScheduler(db: Db, config: Config): { stop(): Promise<void> } {
  const ctx = renewalContext(db, config);
  const every = config.LIENTHONG_RENEWAL_CHECK_MS;
  if (!ctx || every === 0) return { stop: async () => undefined };
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = (): void => {
    running = renewalTick(db, ctx, config.LIENTHONG_RENEWAL_MARGIN_DAYS).catch((err) => log.error({ err }, 'scheduled renewal failed; will try again'));
  };
  const first = setTimeout(tick, Math.min(every, 30_000));
  const timer = setInterval(() => !stopped && void running.then(tick), every);
  first.unref();
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
