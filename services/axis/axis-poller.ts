import { randomUUID } from 'node:crypto';
import type { Db } from '../db/pool';
import type { Logger } from '../logging/logger';
import { AxisClient, AxisError, type AxisSettings } from './axis-client';
import { syncAxisDirectory, type AxisSyncCounts } from './axis-directory';
import { pollAxisInbox, type AxisIntakeCounts, type AxisIntakeLimits } from './axis-intake';
import { sendOwedStatuses } from './axis-outbound';

/** The longest wait between two polls while the axis keeps failing. */
const MAX_BACKOFF_MS = 15 * 60_000;

export interface AxisCycle {
  synced?: AxisSyncCounts;
  intake: AxisIntakeCounts;
  statusesSent: number;
}

/**
 * One poll: the directory when it is due (never synchronised, or older than the sync period),
 * then every received message, then the statuses owed back. Throws what the axis or the database
 * threw; the poller records it and backs off.
 */
export async function runAxisCycle(db: Db, client: AxisClient, settings: AxisSettings, limits: AxisIntakeLimits, now = new Date()): Promise<AxisCycle> {
  const state = (await db.query<{ lastSyncAt: Date | null }>(`SELECT last_sync_at AS "lastSyncAt" FROM axis_state WHERE id = 1`)).rows[0];
  const syncDue = !state?.lastSyncAt || now.getTime() - new Date(state.lastSyncAt).getTime() >= settings.syncMs;
  const synced = syncDue ? await syncAxisDirectory(db, client, now) : undefined;
  const intake = await pollAxisInbox(db, client, limits);
  const statusesSent = await sendOwedStatuses(db, client);
  return { ...(synced ? { synced } : {}), intake, statusesSent };
}

/** The wait before the next poll after `failures` failures in a row: the poll period doubled each time, with jitter, at most 15 minutes. */
export function axisBackoffMs(pollMs: number, failures: number, random = Math.random): number {
  if (failures <= 0) return pollMs;
  const ceiling = Math.max(pollMs, MAX_BACKOFF_MS);
  const base = Math.min(ceiling, pollMs * 2 ** Math.min(failures, 20));
  return Math.round(base / 2 + (base / 2) * random());
}

export interface AxisPoller {
  stop(): Promise<void>;
}

/**
 * The worker-side poller: one cycle every LIENTHONG_AXIS_POLL_MS while the axis answers, backing
 * off (axisBackoffMs) while it fails. However many worker processes run, one holds the poll lease
 * (axis_state) at a time. Failures are recorded in axis_state (last_error, failures) and logged; an
 * authentication failure is logged at error level with what to check.
 */
export function startAxisPoller(db: Db, settings: AxisSettings, limits: AxisIntakeLimits, log: Logger): AxisPoller {
  const client = new AxisClient(settings);
  const holder = randomUUID();
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const cycle = async (): Promise<void> => {
    const lease = await db.query(
      `UPDATE axis_state SET lease_holder = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
        WHERE id = 1 AND (lease_until IS NULL OR lease_until < now() OR lease_holder = $1) RETURNING id`,
      [holder, Math.max(settings.pollMs * 3, 60_000)],
    );
    if (lease.rowCount === 0) return;
    try {
      const done = await runAxisCycle(db, client, settings, limits);
      failures = 0;
      await db.query(`UPDATE axis_state SET last_poll_at = now(), failures = 0 WHERE id = 1`);
      const { intake } = done;
      if (done.synced || intake.accepted || intake.duplicate || intake.refused || done.statusesSent) log.info(done, 'axis poll');
    } catch (err) {
      failures++;
      const message = (err as Error).message;
      await db.query(`UPDATE axis_state SET last_error = $1, last_error_at = now(), failures = $2 WHERE id = 1`, [message.slice(0, 2000), failures]).catch(() => undefined);
      if (err instanceof AxisError && err.kind === 'auth') log.error({ err, failures }, 'ALERT: the national axis refused this hub\'s credentials');
      else log.warn({ err, failures }, 'axis poll failed; backing off');
    }
  };

  const schedule = (delay: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = cycle()
        .catch((err) => log.warn({ err }, 'axis poll could not run'))
        .finally(() => {
          running = undefined;
          schedule(axisBackoffMs(settings.pollMs, failures));
        });
    }, delay);
    timer.unref();
  };
  // The first poll soon after start, then on the period.
  schedule(Math.min(settings.pollMs, 1000));
  log.info({ baseUrl: settings.baseUrl, systemId: settings.systemId, pollMs: settings.pollMs }, 'axis poller started');

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await db.query(`UPDATE axis_state SET lease_until = NULL WHERE id = 1 AND lease_holder = $1`, [holder]).catch(() => undefined);
    },
  };
}
