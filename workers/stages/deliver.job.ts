import { Channel, DispatchStatus, EdxmlStatusCode, LedgerKind, Stage } from '../../contracts';
import { inTransaction } from '../../services/db/pool';
import { addDispatchEvent, loadDispatch, moveDispatchStatus } from '../../services/domain/dispatches/dispatch.repository';
import { loadDocument } from '../../services/domain/documents/document.repository';
import { appendLedger } from '../../services/domain/ledger/ledger.repository';
import { findAgency } from '../../services/domain/agencies/agency.repository';
import { pushToAgency } from '../delivery/push-delivery';
import { attachPacket } from '../../services/paper-packet/packet.repository';
import { producePaperPacket } from '../../services/paper-packet/produce-packet';
import { PermanentStageError, type StageHandler } from '../runtime/stage-context';

const OPEN: DispatchStatus[] = [DispatchStatus.pending, DispatchStatus.delivering];

/**
 * deliver: one recipient copy. Hosted → visible in the recipient's inbox (status 01); push → the
 * agency's system answered 2xx; paper → recorded as sent on paper, with its print-ready packet. Each outcome is one transaction
 * with its timeline event and ledger row; the compare-and-set makes a re-run change nothing.
 */
export const deliverStage: StageHandler<typeof Stage.deliver> = {
  async run({ documentId, dispatchId }, { db, config, log, attempt }) {
    const dispatch = await loadDispatch(db, dispatchId);
    if (!dispatch || dispatch.documentId !== documentId) throw new PermanentStageError(`dispatch ${dispatchId} does not exist`, 'NOT_FOUND');
    if (!OPEN.includes(dispatch.status)) return;
    const doc = await loadDocument(db, documentId);
    if (!doc || doc.status !== 'routed') return;
    const channel = dispatch.channel ?? Channel.hosted;
    if (channel === Channel.push) {
      const agency = await findAgency(db, dispatch.recipientCode);
      if (!agency?.endpointUrl) throw new PermanentStageError(`agency ${dispatch.recipientCode} has no push endpoint`, 'NO_ENDPOINT');
      const started = await db.query<{ budgetStartedAt: Date }>(
        `UPDATE dispatches SET attempts = attempts + 1, status = 'delivering', updated_at = now(),
                budget_started_at = COALESCE(budget_started_at, now())
          WHERE id = $1 RETURNING budget_started_at AS "budgetStartedAt"`,
        [dispatchId],
      );
      try {
        await pushToAgency(db, config.masterKey, agency, doc, dispatchId, attempt, config.LIENTHONG_PUSH_TIMEOUT_MS);
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
    const outcome = channel === Channel.paper ? DispatchStatus.paper : DispatchStatus.delivered;
    // Paper: the print-ready packet is built before the transaction (slow) and attached inside it,
    // so a paper dispatch never exists without its packet, and a re-run attaches nothing twice.
    const packet = channel === Channel.paper ? await producePaperPacket(db, doc, dispatch.recipientCode) : undefined;
    await inTransaction(db, async (tx) => {
      if (!(await moveDispatchStatus(tx, dispatchId, OPEN, outcome, { delivered: outcome === DispatchStatus.delivered }))) return;
      if (packet) await attachPacket(tx, dispatchId, packet);
      await addDispatchEvent(tx, dispatchId, outcome === DispatchStatus.paper ? 'paper' : EdxmlStatusCode.arrived, 'lienthong');
      // NOTIFY is delivered at commit anyway; the ledger append comes last (it holds the chain's lock to COMMIT).
      await tx.query(`SELECT pg_notify('lienthong_dispatch', $1)`, [JSON.stringify({ dispatchId, documentId, status: outcome })]);
      await appendLedger(tx, {
        kind: outcome === DispatchStatus.paper ? LedgerKind.dispatchPaper : LedgerKind.dispatchDelivered,
        documentId,
        dispatchId,
        sender: doc.senderCode,
        recipient: dispatch.recipientCode,
        channel,
      });
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
