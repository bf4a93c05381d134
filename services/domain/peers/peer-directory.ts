import type { Queryable } from '../../db/pool';
import { upsertRemoteAgency, type RemoteUpsertOutcome } from '../agencies/agency.repository';
import { matchesAny } from './code-pattern';
import type { PeerHub } from './peer.repository';

/** One agency as a hub lists its own to a peer (POST /v1/peer/agencies). */
export interface ListedAgency {
  code: string;
  altCode: string | null;
  name: string;
}

/** A page small enough for the push transport's 64 KiB answer. */
export const DIRECTORY_PAGE = 200;

/** This hub's own agencies (not remote, not sandbox), by code after `after`. */
export async function localDirectoryPage(db: Queryable, after: string, limit = DIRECTORY_PAGE): Promise<{ agencies: ListedAgency[]; next: string | null }> {
  const r = await db.query<ListedAgency>(
    `SELECT code, alt_code AS "altCode", name FROM agencies
      WHERE reached_via = 'local' AND NOT sandbox AND code > $1 ORDER BY code LIMIT $2`,
    [after, limit],
  );
  return { agencies: r.rows, next: r.rows.length === limit ? r.rows[r.rows.length - 1]!.code : null };
}

export type DirectorySyncCounts = Record<RemoteUpsertOutcome | 'not-served', number>;

/**
 * A peer's listing into this directory: each agency it serves (its --codes) stored with both code
 * forms, the peer as its hub and the time seen, reached by relay; a code outside its patterns is
 * not taken (`not-served`), and a local agency is never taken over.
 */
export async function applyPeerDirectory(db: Queryable, peer: PeerHub, listed: ListedAgency[], seenAt = new Date()): Promise<DirectorySyncCounts> {
  const counts: DirectorySyncCounts = { added: 0, renamed: 0, updated: 0, unchanged: 0, 'kept-local': 0, 'kept-peer': 0, 'not-served': 0 };
  for (const a of listed) {
    if (!matchesAny(peer.codePatterns, a.code)) {
      counts['not-served']++;
      continue;
    }
    const outcome = await upsertRemoteAgency(db, { code: a.code, altCode: a.altCode, name: a.name, reachedVia: 'peer', peerId: peer.id, seenAt });
    if (outcome !== 'kept-local' && outcome !== 'kept-peer') await db.query(`UPDATE agencies SET channel = 'relay' WHERE code = $1`, [a.code]);
    counts[outcome]++;
  }
  return counts;
}
