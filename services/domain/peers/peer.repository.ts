import type { Queryable } from '../../db/pool';
import { openSecret } from '../../pki/key-envelope';
import { upsertRemoteAgency } from '../agencies/agency.repository';
import { matchesAny } from './code-pattern';

export const PEER_SECRET_PURPOSE = 'peer-secret';

/** Another Liên Thông hub this one exchanges documents with (migration 0057). */
export interface PeerHub {
  id: string;
  /** The peer's base URL; documents and statuses go to `<url>/v1/edxml`. */
  url: string;
  /** The HMAC secret both hubs share, sealed with the master key (purpose PEER_SECRET_PURPOSE). */
  secretEnc: string;
  codePatterns: string[];
  allowPrivateEndpoint: boolean;
  lastSeenAt: Date | null;
}

const COLUMNS = `id, url, secret_enc AS "secretEnc", code_patterns AS "codePatterns",
  allow_private_endpoint AS "allowPrivateEndpoint", last_seen_at AS "lastSeenAt"`;

export async function listPeers(db: Queryable): Promise<PeerHub[]> {
  return (await db.query<PeerHub>(`SELECT ${COLUMNS} FROM peer_hubs ORDER BY id`)).rows;
}

export async function findPeer(db: Queryable, id: string): Promise<PeerHub | undefined> {
  return (await db.query<PeerHub>(`SELECT ${COLUMNS} FROM peer_hubs WHERE id = $1`, [id])).rows[0];
}

/** The peer serving an agency code: the one the directory names for it, else the first (by id) whose patterns match it. */
export async function peerServing(db: Queryable, code: string): Promise<PeerHub | undefined> {
  const peers = await listPeers(db);
  const named = (await db.query<{ peerId: string | null }>(`SELECT peer_id AS "peerId" FROM agencies WHERE code = $1`, [code])).rows[0]?.peerId;
  return peers.find((p) => p.id === named) ?? peers.find((p) => matchesAny(p.codePatterns, code));
}

export async function insertPeer(db: Queryable, p: Omit<PeerHub, 'lastSeenAt'>): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO peer_hubs (id, url, secret_enc, code_patterns, allow_private_endpoint) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
    [p.id, p.url, p.secretEnc, p.codePatterns, p.allowPrivateEndpoint],
  );
  return r.rowCount === 1;
}

export async function updatePeer(db: Queryable, id: string, p: Partial<Omit<PeerHub, 'id' | 'lastSeenAt'>>): Promise<boolean> {
  const r = await db.query(
    `UPDATE peer_hubs SET url = COALESCE($2, url), secret_enc = COALESCE($3, secret_enc), code_patterns = COALESCE($4, code_patterns),
            allow_private_endpoint = COALESCE($5, allow_private_endpoint), updated_at = now()
      WHERE id = $1`,
    [id, p.url ?? null, p.secretEnc ?? null, p.codePatterns ?? null, p.allowPrivateEndpoint ?? null],
  );
  return r.rowCount === 1;
}

export async function removePeer(db: Queryable, id: string): Promise<boolean> {
  return (await db.query(`DELETE FROM peer_hubs WHERE id = $1`, [id])).rowCount === 1;
}

export async function markPeerSeen(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE peer_hubs SET last_seen_at = now() WHERE id = $1`, [id]);
}

/**
 * Codes not in the directory that a peer serves become agencies reached through it (reached_via
 * `peer` with its peer_id, migration 0060; channel `relay`), so a document may be addressed to
 * them; the others stay unknown. Returns the codes served. The agency's name is its code until a
 * listing tells more; a local agency is never taken over (upsertRemoteAgency).
 */
export async function adoptPeerAgencies(db: Queryable, codes: string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const peers = await listPeers(db);
  const served: string[] = [];
  for (const code of codes) {
    const peer = peers.find((p) => matchesAny(p.codePatterns, code));
    if (!peer) continue;
    const outcome = await upsertRemoteAgency(db, { code, name: code, reachedVia: 'peer', peerId: peer.id });
    if (outcome === 'kept-local') continue;
    await db.query(`UPDATE agencies SET channel = 'relay' WHERE code = $1 AND reached_via = 'peer'`, [code]);
    served.push(code);
  }
  return served;
}

export function peerSecret(peer: PeerHub, masterKey: Buffer): string {
  return openSecret(peer.secretEnc, masterKey, PEER_SECRET_PURPOSE);
}
