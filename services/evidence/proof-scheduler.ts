import type { Config } from '../config/config';
import type { Db } from '../db/pool';
import { anchorChains, claimAnchorDay } from '../domain/ledger/ledger-anchor';
import { NoHubSealError } from '../domain/receipts/hub-seal';
import { ensureReceipt, eventsOwingReceipts } from '../domain/receipts/receipt.repository';
import { logger } from '../logging/logger';
import { vnDay } from '../stats/periods';

const log = logger('proofs');
const PERIOD_MS = 30_000;
const RECEIPTS_PER_TICK = 500;

/**
 * In the worker process, every 30 s: signs the receipts still owed (01/03 events recorded by any
 * path — delivery, the API, edXML, the web — get theirs here at the latest), and once a Vietnam
 * day anchors the head of every ledger chain with the TSA (LIENTHONG_TSA_URL). The day is claimed
 * in ledger_anchor_runs, so one process anchors however many run; a failed run gives the claim back.
 */
export function startProofScheduler(db: Db, config: Config): { stop(): void; tick(): Promise<void> } {
  const keys = { masterKey: config.masterKey, devMode: config.LIENTHONG_DEV_MODE };
  let warnedNoTsa = false;
  const tick = async (): Promise<void> => {
    try {
      for (const eventId of await eventsOwingReceipts(db, RECEIPTS_PER_TICK)) await ensureReceipt(db, keys, eventId);
    } catch (err) {
      if (err instanceof NoHubSealError) log.warn({ err }, 'receipts are owed but the hub has no seal certificate');
      else throw err;
    }
    const day = vnDay(new Date());
    if (!config.LIENTHONG_TSA_URL) {
      if (!warnedNoTsa) log.warn('LIENTHONG_TSA_URL is not set: the daily ledger anchors are not made');
      warnedNoTsa = true;
      return;
    }
    if (!(await claimAnchorDay(db, day))) return;
    try {
      const written = await anchorChains(db, { url: config.LIENTHONG_TSA_URL, timeoutMs: config.LIENTHONG_TSA_TIMEOUT_MS }, 'scheduled');
      await db.query(`UPDATE ledger_anchor_runs SET chains = $2 WHERE day = $1`, [day, written.length]);
      log.info({ day, anchored: written.length }, 'daily ledger anchors');
    } catch (err) {
      await db.query(`DELETE FROM ledger_anchor_runs WHERE day = $1`, [day]);
      throw err;
    }
  };
  const run = () => void tick().catch((err) => log.warn({ err }, 'proof run failed; the next run retries'));
  const first = setTimeout(run, 5_000);
  const timer = setInterval(run, PERIOD_MS);
  first.unref();
  timer.unref();
  return {
    tick,
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
