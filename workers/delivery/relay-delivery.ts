import type { Config } from '../../services/config/config';
import type { Queryable } from '../../services/db/pool';
import type { DocumentRow } from '../../services/domain/documents/document-reads';
import { documentEnvelope } from '../../services/domain/edxml/document-envelope';
import { HUB_HEADER } from '../../services/domain/peers/hub-signature';
import { markPeerSeen, peerSecret, peerServing, type PeerHub } from '../../services/domain/peers/peer.repository';
import { edxmlTimestampOf } from '../../services/edxml';
import type { DeliveryProof } from './push-delivery';
import { PushError, type PushResponse } from './push-transport';
import { postSigned, pushPolicyOf } from './signed-post';

/**
 * One relay attempt (issue 22): the signed document in its edXML envelope, this hub's hop appended
 * to TraceHeaderList, POSTed to the peer hub serving the recipient at `<peer>/v1/edxml` with this
 * hub's id and the push HMAC headers, through the push transport (no redirects, checked addresses,
 * timeouts, capped answer). The dispatch id is the delivery id. It counts only when the peer
 * answers 2xx naming the document it holds (`{"id"}`, a replay included): proof `receipt`.
 */
export async function relayToPeer(
  db: Queryable,
  config: Config,
  doc: DocumentRow,
  dispatchId: string,
  recipientCode: string,
  attempt: number,
): Promise<{ httpStatus: number; proof: DeliveryProof }> {
  const peer = await peerServing(db, recipientCode);
  if (!peer) throw new PushError(`không có liên thông ngang cấp (peer) nào phục vụ mã ${recipientCode} (lienthong peer add … --codes)`);
  const body = await documentEnvelope(db, doc, { hop: { organId: config.LIENTHONG_HUB_ID, timestamp: edxmlTimestampOf(new Date()) } });
  const res = await postToPeer(config, peer, dispatchId, body, attempt);
  if (!peerHolds(res)) throw new PushError('liên thông nhận trả lời 2xx nhưng không nêu mã văn bản đã nhận (id)', res.status);
  await markPeerSeen(db, peer.id);
  return { httpStatus: res.status, proof: 'receipt' };
}

/** One signed POST of an edXML body to a peer hub's /v1/edxml (documents, revokes and statuses alike). */
export function postToPeer(config: Config, peer: PeerHub, deliveryId: string, body: string, attempt: number, path = '/v1/edxml', contentType = 'application/xml'): Promise<PushResponse> {
  return postSigned({
    url: `${peer.url}${path}`,
    secret: peerSecret(peer, config.masterKey),
    deliveryId,
    body,
    contentType,
    attempt,
    allowPrivate: peer.allowPrivateEndpoint,
    headers: { [HUB_HEADER]: config.LIENTHONG_HUB_ID },
    ...pushPolicyOf(config),
  });
}

function peerHolds(res: PushResponse): boolean {
  if (res.incomplete) return false;
  try {
    const answer = JSON.parse(res.body.toString('utf8')) as { id?: unknown };
    return typeof answer.id === 'string' && answer.id.length > 0;
  } catch {
    return false;
  }
}
