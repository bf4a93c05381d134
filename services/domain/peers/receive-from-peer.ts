import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { edxmlDocumentId, type EdxmlMessage } from '../../edxml';
import type { AcceptLimits } from '../documents/accept-document';
import { receiveEdxml, type EdxmlOutcome } from '../edxml/receive-edxml';
import { DomainError } from '../errors/domain-error';
import { matchesAny } from './code-pattern';
import { adoptPeerAgencies, markPeerSeen, type PeerHub } from './peer.repository';

/**
 * An edXML message relayed by a peer hub (POST /v1/edxml with X-LienThong-Hub): a document for
 * our agencies, a revoke, update or replacement of one, or a status on one we sent. It enters
 * through the same acceptance as an agency's own envelope (receiveEdxml), acting for the agency
 * named in From — which the peer must serve (its --codes) and which must not be one of ours.
 * A document whose TraceHeaderList already passed through this hub is a loop and is refused;
 * one whose DocumentId arrived before is answered with the first result (a retry, never twice).
 * Only our own agencies among the recipients receive it: the others are reached by their hubs.
 */
export async function receiveFromPeer(db: Db, hubId: string, peer: PeerHub, message: EdxmlMessage, limits: AcceptLimits): Promise<EdxmlOutcome> {
  const from = message.kind === 'status' ? message.status.from.organId : message.document.from.organId;
  await checkSpokenFor(db, peer, from);
  await markPeerSeen(db, peer.id);
  const actor = `peer:${peer.id}`;
  if (message.kind === 'status') return receiveEdxml(db, from, actor, message, limits);
  const doc = message.document;
  if (doc.traceHeaders.some((t) => t.organId === hubId)) {
    throw new DomainError(ErrorCode.CONFLICT, `Gói edXML đã đi qua liên thông ${hubId} (TraceHeaderList): vòng lặp chuyển tiếp bị từ chối.`, [
      { element: 'TraceHeaderList', reason: 'relay-loop', trace: doc.traceHeaders.map((t) => t.organId) },
    ]);
  }
  if (doc.business.businessDocType === 1) return receiveEdxml(db, from, actor, message, limits);
  const ours = await localAgencies(db, doc.to.map((t) => t.organId));
  if (ours.length === 0) {
    throw new DomainError(ErrorCode.UNKNOWN_RECIPIENT, `Không nơi nhận nào của gói edXML thuộc liên thông ${hubId}.`, doc.to.map((t) => ({ recipient: t.organId })));
  }
  const documentId = doc.documentId ?? edxmlDocumentId(doc.from.organId, doc.promulgation.date, doc.code.number, doc.code.notation);
  const relayed: EdxmlMessage = { kind: 'document', document: { ...doc, to: doc.to.filter((t) => ours.includes(t.organId)) } };
  return receiveEdxml(db, from, actor, relayed, limits, { peerId: peer.id, originDocumentId: documentId, trace: doc.traceHeaders });
}

/** The peer speaks only for agencies it serves, and never for one of this hub's own. */
async function checkSpokenFor(db: Db, peer: PeerHub, code: string): Promise<void> {
  const refuse = (why: string) => new DomainError(ErrorCode.FORBIDDEN, why, [{ element: 'MessageHeader/From/OrganId', value: code }]);
  if (!matchesAny(peer.codePatterns, code)) throw refuse(`Liên thông ${peer.id} không phục vụ cơ quan ${code} (mẫu mã: ${peer.codePatterns.join(', ')}).`);
  const r = await db.query<{ reachedVia: string; peerId: string | null }>(`SELECT reached_via AS "reachedVia", peer_id AS "peerId" FROM agencies WHERE code = $1`, [code]);
  const known = r.rows[0];
  if (known?.reachedVia === 'local') throw refuse(`Cơ quan ${code} thuộc liên thông này, không thuộc liên thông ${peer.id}.`);
  if (known?.reachedVia === 'peer' && known.peerId !== peer.id) throw refuse(`Cơ quan ${code} thuộc liên thông ${known.peerId}, không thuộc liên thông ${peer.id}.`);
  if (known?.reachedVia !== 'peer') await adoptPeerAgencies(db, [code]);
  else await db.query(`UPDATE agencies SET last_seen_at = now() WHERE code = $1`, [code]);
}

async function localAgencies(db: Db, codes: string[]): Promise<string[]> {
  const r = await db.query<{ code: string }>(`SELECT code FROM agencies WHERE code = ANY($1::text[]) AND reached_via = 'local'`, [codes]);
  return r.rows.map((x) => x.code);
}
