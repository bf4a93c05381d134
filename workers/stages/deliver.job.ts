import { Channel, DispatchStatus, EdxmlStatusCode, isHostedDeliveryJob, LedgerKind, Stage } from '../../contracts';
import { loadDispatchForDelivery, recordDispatchOutcome } from '../../services/domain/dispatches/dispatch.repository';
import { enqueueArrivalWebhook } from '../../services/domain/dispatches/status-webhook';
import { loadDocument } from '../../services/domain/documents/document-reads';
import { findAgency } from '../../services/domain/agencies/agency.repository';
import type { DeliveryProof } from '../delivery/push-delivery';
import { pushWithRecord } from './push-attempt';
import { relayToPeer } from '../delivery/relay-delivery';
import { deliverThroughAxis } from '../../services/axis/axis-delivery';
import { PAPER_PACKET_ROLE } from '../../services/paper-packet/packet.repository';
import { producePaperPacket } from '../../services/paper-packet/produce-packet';
import { PermanentStageError, type StageHandler } from '../runtime/stage-context';
import { OPEN_DISPATCH_STATUSES } from '../../services/pipeline/stage-order';
import { deliverHostedCopies, failHostedCopies } from './deliver-hosted';

const OPEN = OPEN_DISPATCH_STATUSES as DispatchStatus[];

/**
 * deliver: a document's hosted copies together ({ documentId, hosted: true }, deliver-hosted.ts),
 * or one recipient copy ({ documentId, dispatchId }: push, relay, axis, paper, and a hosted copy an
 * operator retried or the sweeper found without its document's job). Hosted → visible in the recipient's inbox (status 01); push → the
 * agency's system answered 2xx without redirect (or, when the agency asked for it, with a receipt
 * naming the delivery), every attempt recorded (push-attempt.ts); paper → recorded as sent on paper, with its print-ready packet.
 * Each outcome is ONE statement (record_dispatch_outcome(), its own transaction in autocommit) with
 * its timeline event, NOTIFY and ledger row; the compare-and-set makes a re-run change nothing.
 * A hosted delivery is two round trips: the read below and that statement.
 */
export const deliverStage: StageHandler<typeof Stage.deliver> = {
  async run(payload, ctx) {
    if (isHostedDeliveryJob(payload)) return deliverHostedCopies(payload, ctx);
    const { documentId, dispatchId } = payload;
    const { db, config, log } = ctx;
    // The dispatch with its document's status and sender, in one read.
    const dispatch = await loadDispatchForDelivery(db, dispatchId);
    if (!dispatch || dispatch.documentId !== documentId) throw new PermanentStageError(`dispatch ${dispatchId} does not exist`, 'NOT_FOUND');
    if (!OPEN.includes(dispatch.status)) return;
    if (dispatch.documentStatus !== 'routed') return;
    const channel = dispatch.channel ?? Channel.hosted;
    // Push and paper need the whole document (the push body, the packet); hosted does not.
    const doc = channel === Channel.hosted ? undefined : await loadDocument(db, documentId);
    if (channel !== Channel.hosted && doc?.status !== 'routed') return;
    let proof: DeliveryProof | undefined;
    if (channel === Channel.push) {
      const agency = await findAgency(db, dispatch.recipientCode);
      if (!agency?.endpointUrl) throw new PermanentStageError(`cơ quan ${dispatch.recipientCode} chưa có địa chỉ điểm nhận (agency update --endpoint)`, 'NO_ENDPOINT');
      proof = await pushWithRecord({ db, config, log }, agency, doc!, dispatchId);
      if (!proof) return;
    }
    if (channel === Channel.relay) {
      // To the peer hub serving the recipient, under the same attempt records, budget and alert as a push.
      proof = await pushWithRecord({ db, config, log }, undefined, doc!, dispatchId, (attempt) => relayToPeer(db, config, doc!, dispatchId, dispatch.recipientCode, attempt));
      if (!proof) return;
    }
    if (channel === Channel.axis) {
      // Through the national document exchange axis, under the same attempt records, budget and alert.
      proof = await pushWithRecord({ db, config, log }, undefined, doc!, dispatchId, async () => {
        const sent = await deliverThroughAxis(db, config, doc!, dispatch.recipientCode);
        log.info({ recipient: dispatch.recipientCode, axisId: sent.axisId }, 'sent through the national axis');
        return { httpStatus: sent.httpStatus, proof: sent.proof };
      });
      if (!proof) return;
    }
    const paper = channel === Channel.paper;
    const outcome = paper ? DispatchStatus.paper : DispatchStatus.delivered;
    // Paper: the print-ready packet is built first (slow) and attached by the same statement as
    // the move, so a paper dispatch never exists without its packet, and a re-run attaches nothing twice.
    const packet = paper ? await producePaperPacket(db, doc!, dispatch.recipientCode) : undefined;
    // Not in a transaction: the statement is its own, and the ledger chain's lock it takes last is
    // released by the server's implicit commit, never held across a round trip to this process.
    const moved = await recordDispatchOutcome(db, {
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
        // Which proof a push had (a 2xx without redirect, or the receiver's receipt).
        ...(proof ? { detail: { proof } } : {}),
      },
    });
    // The arrival and its signed receipt go to a push sender's system (no-op for other senders).
    if (moved && outcome === DispatchStatus.delivered && dispatch.senderChannel === Channel.push) await enqueueArrivalWebhook(db, dispatchId);
    log.info({ recipient: dispatch.recipientCode, channel, outcome }, 'delivered');
  },
  async onFinalFailure(payload, error, ctx) {
    if (isHostedDeliveryJob(payload)) return failHostedCopies(payload, error, ctx);
    const { documentId, dispatchId } = payload;
    const { db, log } = ctx;
    // The failure is an outcome like a delivery: one statement, the same function, the same ledger path.
    const d = await loadDispatchForDelivery(db, dispatchId);
    if (d) {
      await recordDispatchOutcome(db, {
        dispatchId,
        from: OPEN,
        to: DispatchStatus.failed,
        delivered: false,
        event: { code: 'failed', actor: 'lienthong' },
        note: error.message,
        lastError: error.message,
        notify: JSON.stringify({ dispatchId, documentId, status: DispatchStatus.failed }),
        ledger: { kind: LedgerKind.dispatchFailed, documentId, sender: d.senderCode, recipient: d.recipientCode, channel: d.channel },
      });
    }
    log.error({ documentId, dispatchId, err: error }, 'ALERT: dispatch failed after its retry budget');
  },
};
