import type { EdxmlTraceHeader } from '../../edxml';
import type { Queryable } from '../../db/pool';
import { splitRefs } from '../agencies/resolve-recipients';
import { adoptPeerAgencies } from './peer.repository';

/** Where a document received from a peer hub came from (relayed_documents, migration 0057). */
export interface RelayOrigin {
  peerId: string;
  /** The edXML DocumentId it carried: duplicates and statuses are matched on it. */
  originDocumentId: string;
  /** Its TraceHeaderList as it arrived (the sending hub's hop included). */
  trace: EdxmlTraceHeader[];
}

export async function recordRelayOrigin(db: Queryable, documentId: string, o: RelayOrigin): Promise<void> {
  await db.query(`INSERT INTO relayed_documents (document_id, peer_id, origin_document_id, trace) VALUES ($1, $2, $3, $4)`, [
    documentId,
    o.peerId,
    o.originDocumentId,
    JSON.stringify(o.trace),
  ]);
}

export async function relayOriginOf(db: Queryable, documentId: string): Promise<RelayOrigin | undefined> {
  const r = await db.query<RelayOrigin>(
    `SELECT peer_id AS "peerId", origin_document_id AS "originDocumentId", trace FROM relayed_documents WHERE document_id = $1`,
    [documentId],
  );
  return r.rows[0];
}

/**
 * The directory's known codes plus the directly addressed codes a peer hub serves (adopted into
 * the directory as agencies reached by relay); codes nobody serves stay unknown. No statement
 * when every code is known already.
 */
export async function withPeerAgencies(db: Queryable, refs: string[], known: string[]): Promise<string[]> {
  const have = new Set(known);
  const missing = splitRefs(refs).direct.filter((c) => !have.has(c));
  if (missing.length === 0) return known;
  return [...known, ...(await adoptPeerAgencies(db, missing))];
}
