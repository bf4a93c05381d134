import type { Config } from '../../services/config/config';
import type { Db } from '../../services/db/pool';
import { loadDocument } from '../../services/domain/documents/document-reads';
import { documentEnvelope } from '../../services/domain/edxml/document-envelope';
import type { StatusEventRow } from '../../services/domain/dispatches/status-webhook';
import { markPeerSeen, peerServing } from '../../services/domain/peers/peer.repository';
import { edxmlTimestampOf } from '../../services/edxml';
import { PushError } from './push-transport';
import { postToPeer } from './relay-delivery';
import { statusDeliveryId, statusWebhookBody } from './status-webhook-body';

/**
 * A status on a dispatch, sent to the peer hub of the agency it concerns (issue 22): a recipient's
 * 02–06/15/16 back to the sender's hub, or the sender's 13 out to the recipient's hub — a revoke
 * of the whole document as an edXML revoke envelope (BussinessDocType 1), a take-back as a status
 * 13. Signed and sent like a relay. Resolves once the peer has it: a 2xx, or a 409 (it recorded
 * that status already, or the document is revoked there already: nothing left to tell it);
 * rejects otherwise, and the notify job retries under the delivery budget.
 */
export async function relayStatusToPeer(db: Db, config: Config, ev: StatusEventRow, toward: string, attempt: number): Promise<'sent' | 'known'> {
  const peer = await peerServing(db, toward);
  if (!peer) throw new PushError(`không có liên thông ngang cấp (peer) nào phục vụ mã ${toward} (lienthong peer add … --codes)`);
  const body = await statusBody(db, config, ev);
  try {
    await postToPeer(config, peer, statusDeliveryId(ev), body, attempt);
  } catch (err) {
    if (err instanceof PushError && err.httpStatus === 409) return 'known';
    throw err;
  }
  await markPeerSeen(db, peer.id);
  return 'sent';
}

async function statusBody(db: Db, config: Config, ev: StatusEventRow): Promise<string> {
  if (ev.code === '13') {
    const doc = await loadDocument(db, ev.documentId);
    if (doc?.status === 'revoked') {
      return documentEnvelope(db, doc, {
        hop: { organId: config.LIENTHONG_HUB_ID, timestamp: edxmlTimestampOf(new Date()) },
        revoke: { reason: ev.note ?? 'Thu hồi văn bản' },
      });
    }
  }
  return statusWebhookBody({ ...ev, pushFormat: 'edxml' }).body;
}
