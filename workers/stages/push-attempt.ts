import type { Config } from '../../services/config/config';
import type { Db } from '../../services/db/pool';
import type { AgencyRow } from '../../services/domain/agencies/agency.repository';
import type { DocumentRow } from '../../services/domain/documents/document-reads';
import { raiseFailingAlert } from '../../services/domain/dispatches/push-attempts.repository';
import { beginPushAttempt, recordDeliveredAttempt, recordFailedAttempt } from '../../services/domain/dispatches/dispatch.repository';
import type { Logger } from '../../services/logging/logger';
import { countDeliveryAlert } from '../../services/metrics/metrics';
import { pushToAgency, type DeliveryProof } from '../delivery/push-delivery';
import { PushError } from '../delivery/push-transport';
import { jitteredBackoff, type RetryAfterError } from '../runtime/backoff';
import { PermanentStageError } from '../runtime/stage-context';

/**
 * One push attempt of a dispatch, recorded whatever happens: a row per attempt (time, outcome,
 * HTTP status, error; written when the attempt starts, completed when its outcome is known), the
 * dispatch's last error and the time of the next attempt (the delay is chosen here and handed to
 * BullMQ on the error, so what the clerk is shown is what happens), the long-failing alert once,
 * and the permanent failure when the time budget is spent.
 */
export async function pushWithRecord(
  ctx: { db: Db; config: Config; log: Logger },
  agency: AgencyRow | undefined,
  doc: DocumentRow,
  dispatchId: string,
  /** What one attempt sends; default the push to the agency's system. A relay to a peer hub passes its own (relay-delivery.ts). */
  send: (attempt: number) => Promise<{ httpStatus: number; proof: DeliveryProof }> = (attempt) => pushToAgency(ctx.db, ctx.config, agency!, doc, dispatchId, attempt),
): Promise<DeliveryProof | undefined> {
  const { db, config, log } = ctx;
  // Counts the attempt and writes its row ('started') before anything is sent: if this process
  // dies during the request, the attempt is still in the copy's history, and the next run marks it
  // interrupted (beginPushAttempt).
  const started = await beginPushAttempt(db, dispatchId);
  // Already delivered (or closed) by another run of this job: nothing to push, nothing to record.
  if (!started) return undefined;
  try {
    const delivered = await send(started.attempt);
    await recordDeliveredAttempt(db, dispatchId, started.attemptId, delivered.httpStatus, delivered.proof);
    return delivered.proof;
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    const httpStatus = error instanceof PushError ? error.httpStatus : null;
    const spent = Date.now() - started.budgetStartedAt.getTime();
    const budgetLeft = config.LIENTHONG_DELIVERY_BUDGET_MS - spent;
    // The receiver's Retry-After (429/503) is honoured, bounded by what is left of the budget: the
    // next attempt waits the time it asked for, but never past the budget's end.
    const asked = error instanceof PushError ? error.retryAfterMs : null;
    const delay = asked !== null ? Math.max(0, Math.min(asked, budgetLeft)) : jitteredBackoff(config.LIENTHONG_RETRY_BASE_MS, config.LIENTHONG_RETRY_MAX_MS)(started.attempt);
    const last = budgetLeft <= 0;
    await recordFailedAttempt(db, {
      dispatchId,
      documentId: doc.id,
      attemptId: started.attemptId,
      httpStatus,
      error: error.message,
      nextAttemptAt: last ? null : new Date(Date.now() + delay),
    });
    if (!last && spent >= config.LIENTHONG_DELIVERY_ALERT_MS) await alertOnce(db, log, dispatchId, spent, error.message);
    if (last) {
      throw new PermanentStageError(`đã thử ${started.attempt} lần trong ${Math.round(spent / 3600_000)} giờ không gửi được; lỗi cuối: ${error.message}`, 'RETRY_BUDGET_SPENT');
    }
    const retry: RetryAfterError = new Error(error.message);
    retry.retryDelayMs = delay;
    throw retry;
  }
}

async function alertOnce(db: Db, log: Logger, dispatchId: string, spentMs: number, lastError: string): Promise<void> {
  const minutes = Math.round(spentMs / 60_000);
  const raised = await raiseFailingAlert(
    db,
    dispatchId,
    (f) => `Văn bản ${f.number}/${f.notation} chưa gửi được tới ${f.recipient} sau ${minutes} phút; lỗi: ${lastError.slice(0, 500)}. Hệ thống vẫn tiếp tục thử lại.`,
  );
  if (!raised) return;
  countDeliveryAlert();
  log.error({ dispatchId, sender: raised.sender, recipient: raised.recipient, failingMinutes: minutes, lastError }, 'ALERT: push delivery failing for longer than the alert time');
}
