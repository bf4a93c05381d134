import { Channel, DispatchStatus, EdxmlStatusCode, LedgerKind, type HostedDeliveryJob } from '../../contracts';
import { recordHostedOutcomes } from '../../services/domain/dispatches/dispatch.repository';
import { enqueueArrivalWebhooks } from '../../services/domain/dispatches/status-webhook';
import { OPEN_DISPATCH_STATUSES } from '../../services/pipeline/stage-order';
import type { StageContext } from '../runtime/stage-context';

const OPEN = OPEN_DISPATCH_STATUSES as DispatchStatus[];

/**
 * A document's hosted copies, all at once (issue 25): every copy still open on the hosted channel
 * becomes visible in its recipient's inbox (status 01) by ONE statement, record_hosted_outcomes()
 * (migration 0089) — no read before it: the statement reads the document itself and does nothing
 * unless it is `routed`. Its compare-and-set makes a re-run (the sweeper's, a stalled job taken
 * over) or a run after a revoke write nothing. A copy an operator retried has its own job
 * (DispatchJob), delivered alone by deliver.job.ts.
 */
export async function deliverHostedCopies({ documentId }: HostedDeliveryJob, { db, log }: StageContext): Promise<void> {
  const moved = await recordHostedOutcomes(db, {
    documentId,
    from: OPEN,
    to: DispatchStatus.delivered,
    delivered: true,
    routedOnly: true,
    event: { code: EdxmlStatusCode.arrived, actor: 'lienthong' },
    kind: LedgerKind.dispatchDelivered,
  });
  if (moved.length === 0) return;
  // The arrivals and their signed receipts go to a push sender's system (the sweeper covers a crash in between).
  if (moved[0]!.senderChannel === Channel.push) await enqueueArrivalWebhooks(db, moved.map((m) => m.dispatchId));
  log.info({ recipients: moved.map((m) => m.recipientCode), channel: Channel.hosted, outcome: DispatchStatus.delivered }, 'delivered');
}

/** The job will not be tried again: every hosted copy still open fails, each with its event, NOTIFY and ledger row, in one statement. */
export async function failHostedCopies({ documentId }: HostedDeliveryJob, error: Error, { db, log }: StageContext): Promise<void> {
  const moved = await recordHostedOutcomes(db, {
    documentId,
    from: OPEN,
    to: DispatchStatus.failed,
    delivered: false,
    routedOnly: false,
    event: { code: 'failed', actor: 'lienthong' },
    kind: LedgerKind.dispatchFailed,
    lastError: error.message,
    note: error.message,
  });
  log.error({ documentId, dispatchIds: moved.map((m) => m.dispatchId), err: error }, 'ALERT: dispatch failed after its retry budget');
}
