import type { Config } from '../../services/config/config';
import type { Db } from '../../services/db/pool';
import { findAgency } from '../../services/domain/agencies/agency.repository';
import type { StatusEventRow } from '../../services/domain/dispatches/status-webhook';
import type { Logger } from '../../services/logging/logger';
import { postSigned, pushPolicyOf, webhookSecretOf } from '../delivery/signed-post';
import { statusDeliveryId, statusWebhookBody } from '../delivery/status-webhook-body';
import { PermanentStageError } from '../runtime/stage-context';
import { relayStatusToPeer } from '../delivery/relay-status';
import { AxisClient, axisSettings } from '../../services/axis/axis-client';

/**
 * A take-back or revoke (13) forwarded to a push recipient's own system, signed like a document
 * push under the recipient's secret and sent by the same rules: the edXML status 13 from the
 * sender answering for the document (JSON when the recipient chose JSON). Retried within the
 * delivery budget, counted from when the status was recorded.
 */
export async function forwardToRecipient(db: Db, config: Config, log: Logger, ev: StatusEventRow, attempt: number): Promise<void> {
  if (ev.code !== '13') return;
  const recipient = await findAgency(db, ev.recipient);
  if (recipient?.channel === 'relay') return takeBackToPeer(db, config, log, ev, attempt);
  if (recipient?.channel === 'axis') return takeBackThroughAxis(config, log, ev, attempt);
  if (!recipient || recipient.channel !== 'push' || !recipient.endpointUrl) return;
  const secret = await webhookSecretOf(db, config.masterKey, recipient.code);
  const { body, contentType } = statusWebhookBody({ ...ev, pushFormat: recipient.pushFormat });
  try {
    await postSigned({
      url: recipient.endpointUrl,
      secret,
      deliveryId: statusDeliveryId(ev),
      body,
      contentType,
      attempt,
      allowPrivate: recipient.allowPrivateEndpoint,
      ...pushPolicyOf(config),
    });
  } catch (err) {
    if (Date.now() - ev.at.getTime() >= config.LIENTHONG_DELIVERY_BUDGET_MS) {
      throw new PermanentStageError(`retry budget spent after ${attempt} attempts; last error: ${(err as Error).message}`, 'RETRY_BUDGET_SPENT');
    }
    throw err;
  }
  log.info({ eventId: ev.eventId, dispatchId: ev.dispatchId, recipient: ev.recipient }, 'take-back forwarded to the recipient system');
}

/** The recipient is on a peer hub: the revoke (or take-back) travels there as edXML (relay-status.ts). */
async function takeBackToPeer(db: Db, config: Config, log: Logger, ev: StatusEventRow, attempt: number): Promise<void> {
  try {
    const outcome = await relayStatusToPeer(db, config, ev, ev.recipient, attempt);
    log.info({ eventId: ev.eventId, dispatchId: ev.dispatchId, recipient: ev.recipient, outcome }, 'take-back relayed to the recipient\'s hub');
  } catch (err) {
    if (Date.now() - ev.at.getTime() >= config.LIENTHONG_DELIVERY_BUDGET_MS) {
      throw new PermanentStageError(`retry budget spent after ${attempt} attempts; last error: ${(err as Error).message}`, 'RETRY_BUDGET_SPENT');
    }
    throw err;
  }
}

/** The recipient is reached through the national axis: the sender's 13 goes there as an edXML status message. */
async function takeBackThroughAxis(config: Config, log: Logger, ev: StatusEventRow, attempt: number): Promise<void> {
  try {
    const settings = axisSettings(config);
    if (!settings) throw new Error(`trục liên thông quốc gia chưa được cấu hình (LIENTHONG_AXIS_URL, …): chưa báo thu hồi tới ${ev.recipient}`);
    const { body } = statusWebhookBody({ ...ev, pushFormat: 'edxml' });
    const axisId = await new AxisClient(settings).sendEnvelope(body, { from: ev.sender, to: [ev.recipient], messageType: 'status' });
    log.info({ eventId: ev.eventId, dispatchId: ev.dispatchId, recipient: ev.recipient, axisId, attempt }, 'take-back sent through the national axis');
  } catch (err) {
    if (Date.now() - ev.at.getTime() >= config.LIENTHONG_DELIVERY_BUDGET_MS) {
      throw new PermanentStageError(`retry budget spent after ${attempt} attempts; last error: ${(err as Error).message}`, 'RETRY_BUDGET_SPENT');
    }
    throw err;
  }
}
