import { Stage } from '../../contracts';
import { earlierOwedEvent, loadStatusEvent, markNotified } from '../../services/domain/dispatches/status-webhook';
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
  async run({ eventId, to }, { db, config, log, attempt }) {
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
      throw new Error(`waiting for the earlier status event ${earlier} of the dispatch to reach the sender`);
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
      return;
    }
    const secret = await webhookSecretOf(db, config.masterKey, ev.sender);
    // Arrivals (01) and registrations (03) carry the hub's signed receipt.
    const receipt = ev.code === '01' || ev.code === '03'
      ? await ensureReceipt(db, { masterKey: config.masterKey, devMode: config.LIENTHONG_DEV_MODE }, eventId)
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
  },
  async onFinalFailure({ eventId }, error, { log }) {
    // Nothing to move: the status is on the sender's timeline either way; notified_at stays NULL.
    log.error({ eventId, err: error }, 'ALERT: status webhook to the sender failed after its retry budget');
  },
};
