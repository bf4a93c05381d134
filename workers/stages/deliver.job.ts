import { Channel, DispatchStatus, EdxmlStatusCode, LedgerKind, Stage } from '../../contracts';
import { inTransaction } from '../../services/db/pool';
import {
  addDispatchEvent,
  loadDispatch,
  loadDispatchForDelivery,
  moveDispatchStatus,
  recordDispatchOutcome,
} from '../../services/domain/dispatches/dispatch.repository';
import { loadDocument } from '../../services/domain/documents/document.repository';
import { appendLedger } from '../../services/domain/ledger/ledger.repository';
import { findAgency } from '../../services/domain/agencies/agency.repository';
import { pushToAgency } from '../delivery/push-delivery';
import { PAPER_PACKET_ROLE } from '../../services/paper-packet/packet.repository';
import { producePaperPacket } from '../../services/paper-packet/produce-packet';
import { PermanentStageError, type StageHandler } from '../runtime/stage-context';

const OPEN: DispatchStatus[] = [DispatchStatus.pending, DispatchStatus.delivering];

/**
 * deliver: one recipient copy. Hosted → visible in the recipient's inbox (status 01); push → the
 * agency's system answered 2xx; paper → recorded as sent on paper, with its print-ready packet.
 * Each outcome is ONE statement (record_dispatch_outcome(), its own transaction in autocommit) with
 * its timeline event, NOTIFY and ledger row; the compare-and-set makes a re-run change nothing.
 * A hosted delivery is two round trips: the read below and that statement.
 */
export const deliverStage: StageHandler<typeof Stage.deliver> = {
  async run({ documentId, dispatchId }, { db, config, log, attempt }) {
    // The dispatch with its document's status and sender, in one read.
    const dispatch = await loadDispatchForDelivery(db, dispatchId);
    if (!dispatch || dispatch.documentId !== documentId) throw new PermanentStageError(`dispatch ${dispatchId} does not exist`, 'NOT_FOUND');
    if (!OPEN.includes(dispatch.status)) return;
    if (dispatch.documentStatus !== 'routed') return;
    const channel = dispatch.channel ?? Channel.hosted;
    // Push and paper need the whole document (the push body, the packet); hosted does not.
    const doc = channel === Channel.hosted ? undefined : await loadDocument(db, documentId);
    if (channel !== Channel.hosted && doc?.status !== 'routed') return;
    if (channel === Channel.push) {
      const agency = await findAgency(db, dispatch.recipientCode);
      if (!agency?.endpointUrl) throw new PermanentStageError(`agency ${dispatch.recipientCode} has no push endpoint`, 'NO_ENDPOINT');
      // Only while still open: a second run of this job (a stalled job taken over, a sweeper re-add)
      // that read `pending` before the first recorded `delivered` must not move it back and push again.
      const started = await db.query<{ budgetStartedAt: Date }>(
        `UPDATE dispatches SET attempts = attempts + 1, status = 'delivering', updated_at = now(),
                budget_started_at = COALESCE(budget_started_at, now())
          WHERE id = $1 AND status = ANY($2::text[]) RETURNING budget_started_at AS "budgetStartedAt"`,
        [dispatchId, OPEN],
      );
      if (started.rowCount === 0) return;
      try {
        await pushToAgency(db, config.masterKey, agency, doc!, dispatchId, attempt, config.LIENTHONG_PUSH_TIMEOUT_MS);
      } catch (err) {
        const message = (err as Error).message;
        await db.query(`UPDATE dispatches SET last_error = $2 WHERE id = $1`, [dispatchId, message.slice(0, 2000)]);
        const spent = Date.now() - started.rows[0]!.budgetStartedAt.getTime();
        if (spent >= config.LIENTHONG_DELIVERY_BUDGET_MS) {
          throw new PermanentStageError(`retry budget spent after ${attempt} attempts; last error: ${message}`, 'RETRY_BUDGET_SPENT');
        }
        throw err;
      }
    }
    const paper = channel === Channel.paper;
    const outcome = paper ? DispatchStatus.paper : DispatchStatus.delivered;
    // Paper: the print-ready packet is built first (slow) and attached by the same statement as
    // the move, so a paper dispatch never exists without its packet, and a re-run attaches nothing twice.
    const packet = paper ? await producePaperPacket(db, doc!, dispatch.recipientCode) : undefined;
    // Not in a transaction: the statement is its own, and the ledger chain's lock it takes last is
    // released by the server's implicit commit, never held across a round trip to this process.
    await recordDispatchOutcome(db, {
      dispatchId,
      from: OPEN,
      to: outcome,
      delivered: outcome === DispatchStatus.delivered,
      packet: packet ? { role: PAPER_PACKET_ROLE, sha256: packet.sha256 } : undefined,
      event: { code: paper ? 'paper' : EdxmlStatusCode.arrived, actor: 'lienthong' },
      notify: JSON.stringify({ dispatchId, documentId, status: outcome }),
      ledger: {
        kind: paper ? LedgerKind.dispatchPaper : LedgerKind.dispatchDelivered,
        documentId,
        sender: dispatch.senderCode,
        recipient: dispatch.recipientCode,
        channel,
      },
    });
    log.info({ recipient: dispatch.recipientCode, channel, outcome }, 'delivered');
  },
  async onFinalFailure({ documentId, dispatchId }, error, { db, log }) {
    await inTransaction(db, async (tx) => {
      const d = await loadDispatch(tx, dispatchId);
      if (!d || !(await moveDispatchStatus(tx, dispatchId, OPEN, DispatchStatus.failed, { lastError: error.message.slice(0, 2000) }))) return;
      await addDispatchEvent(tx, dispatchId, 'failed', 'lienthong', error.message.slice(0, 500));
      const sender = (await tx.query<{ sender: string }>(`SELECT sender_code AS sender FROM documents WHERE id = $1`, [documentId])).rows[0]?.sender;
      await appendLedger(tx, { kind: LedgerKind.dispatchFailed, documentId, dispatchId, sender, recipient: d.recipientCode, channel: d.channel });
    });
    log.error({ documentId, dispatchId, err: error.message }, 'ALERT: dispatch failed after its retry budget');
  },
};
