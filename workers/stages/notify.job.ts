import { Job, Queue } from 'bullmq';
import { jobIdFor, Stage } from '../../contracts';
import type { Config } from '../../services/config/config';
import type { Queryable } from '../../services/db/pool';
import { createRedis } from '../../services/pipeline/redis';
import { earlierOwedEvent, loadStatusEvent, markNotified } from '../../services/domain/dispatches/status-webhook';
import { NoHubSealError } from '../../services/domain/receipts/hub-seal';
import { ensureReceipt } from '../../services/domain/receipts/receipt.repository';
import { postSigned, pushPolicyOf, webhookSecretOf } from '../delivery/signed-post';
import { statusDeliveryId, statusWebhookBody } from '../delivery/status-webhook-body';
import { PermanentStageError, type StageHandler } from '../runtime/stage-context';
import { forwardToRecipient } from './notify-recipient';
import { relayStatusToPeer } from '../delivery/relay-status';

/**
 * notify: forwards one status on a dispatch's timeline to a push-channel sender, signed like a
 * document push. Retries with the deliver stage's backoff (DELIVER_JOB_OPTIONS) until the same
 * time budget is spent, counted from when the status was recorded: a status that reaches the
 * sender hours late is worth an alert, not a silent drop. `notified_at` makes a re-run a no-op.
 */
export const notifyStage: StageHandler<typeof Stage.notify> = {
  async run({ eventId, to }, { db, config, log, attempt, waitWithoutAttempt }) {
    const ev = await loadStatusEvent(db, eventId);
    if (!ev) throw new PermanentStageError(`status event ${eventId} does not exist`, 'NOT_FOUND');
    if (to === 'recipient') return forwardToRecipient(db, config, log, ev, attempt);
    if (ev.notifiedAt) return;
    // The sender may have left the push channel since; its timeline still has the status.
    const relay = ev.senderChannel === 'relay';
    if (!relay && (ev.senderChannel !== 'push' || !ev.endpointUrl)) return;
    const spent = () => Date.now() - ev.at.getTime() >= config.LIENTHONG_DELIVERY_BUDGET_MS;
    const earlier = await earlierOwedEvent(db, ev, config.LIENTHONG_DELIVERY_BUDGET_MS);
    if (earlier !== undefined) {
      if (spent()) throw new PermanentStageError(`retry budget spent waiting for status event ${earlier}`, 'RETRY_BUDGET_SPENT');
      // Waiting is not an attempt: the job goes back to delayed without counting one, so this
      // status's first POST still says X-LienThong-Attempt: 1 and its backoff starts afresh.
      const why = `waiting for the earlier status event ${earlier} of the dispatch to reach the sender`;
      if (!waitWithoutAttempt) throw new Error(why); // outside a job: an ordinary retry
      log.info({ eventId, earlier }, `${why} (not an attempt)`);
      await waitWithoutAttempt(waitMs(config));
    }
    if (relay) {
      // A sender on a peer hub: the status goes back to that hub (relay-status.ts).
      try {
        const outcome = await relayStatusToPeer(db, config, ev, ev.sender, attempt);
        if (outcome === 'known') log.warn({ eventId, code: ev.code, sender: ev.sender }, 'the peer hub had this status already (409)');
      } catch (err) {
        if (spent()) throw new PermanentStageError(`retry budget spent after ${attempt} attempts; last error: ${(err as Error).message}`, 'RETRY_BUDGET_SPENT');
        throw err;
      }
      await markNotified(db, eventId);
      log.info({ eventId, dispatchId: ev.dispatchId, code: ev.code, sender: ev.sender }, 'status relayed to the sender\'s hub');
      await wakeNextWaiting(db, config, ev.dispatchId, eventId).catch((err: unknown) => log.warn({ err, eventId }, 'could not wake the next status of the dispatch; it polls'));
      return;
    }
    const secret = await webhookSecretOf(db, config.masterKey, ev.sender);
    // Arrivals (01) and registrations (03) carry the hub's signed receipt.
    // Without a seal certificate (none imported outside dev mode) the status still goes, without it.
    const receipt = ev.code === '01' || ev.code === '03'
      ? await ensureReceipt(db, { masterKey: config.masterKey, devMode: config.LIENTHONG_DEV_MODE }, eventId).catch((err: unknown) => {
          if (!(err instanceof NoHubSealError)) throw err;
          log.warn({ err, eventId }, 'status sent without its receipt: the hub has no seal certificate');
          return undefined;
        })
      : undefined;
    const { body, contentType, headers } = statusWebhookBody(ev, receipt);
    try {
      await postSigned({
        url: ev.endpointUrl!,
        secret,
        deliveryId: statusDeliveryId(ev),
        body,
        contentType,
        ...(headers ? { headers } : {}),
        attempt,
        allowPrivate: ev.allowPrivateEndpoint,
        ...pushPolicyOf(config),
      });
    } catch (err) {
      if (spent()) throw new PermanentStageError(`retry budget spent after ${attempt} attempts; last error: ${(err as Error).message}`, 'RETRY_BUDGET_SPENT');
      throw err;
    }
    await markNotified(db, eventId);
    log.info({ eventId, dispatchId: ev.dispatchId, code: ev.code, sender: ev.sender }, 'status forwarded to the sender');
    await wakeNextWaiting(db, config, ev.dispatchId, eventId).catch((err: unknown) => log.warn({ err, eventId }, 'could not wake the next status of the dispatch; it polls'));
  },
  async onFinalFailure({ eventId }, error, { log }) {
    // Nothing to move: the status is on the sender's timeline either way; notified_at stays NULL.
    log.error({ eventId, err: error }, 'ALERT: status webhook to the sender failed after its retry budget');
  },
};

/**
 * How long a status waits for the one before it between looks: the earlier status's success wakes
 * it at once (wakeNextWaiting), so this is only the fallback (a wake-up lost, a budget spent).
 */
function waitMs(config: Config): number {
  return Math.min(config.LIENTHONG_RETRY_MAX_MS, Math.max(config.LIENTHONG_RETRY_BASE_MS, 1_000) * 5);
}

/** After a status reached the sender: the next one of the dispatch, if it waits for it, runs now. */
async function wakeNextWaiting(db: Queryable, config: Config, dispatchId: string, eventId: number): Promise<void> {
  const next = await db.query<{ id: string }>(
    `SELECT id FROM dispatch_events WHERE dispatch_id = $1 AND id > $2 AND notified_at IS NULL ORDER BY id LIMIT 1`,
    [dispatchId, eventId],
  );
  if (!next.rows[0]) return;
  // A connection for this rare look (a status waiting behind another), closed when done: one kept
  // for the process was never closed, and once its Redis stopped it reconnected forever.
  const connection = createRedis(config, 'producer');
  const queue = new Queue(Stage.notify, { connection, prefix: config.LIENTHONG_QUEUE_PREFIX });
  try {
    const job = await Job.fromId(queue, jobIdFor(Stage.notify, { eventId: Number(next.rows[0].id) }));
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined); // raced: it is running already
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}
