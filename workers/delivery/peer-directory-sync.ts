import { randomUUID } from 'node:crypto';
import type { Config } from '../../services/config/config';
import type { Queryable } from '../../services/db/pool';
import { applyPeerDirectory, type DirectorySyncCounts, type ListedAgency } from '../../services/domain/peers/peer-directory';
import { markPeerSeen, type PeerHub } from '../../services/domain/peers/peer.repository';
import { PushError } from './push-transport';
import { postToPeer } from './relay-delivery';

/**
 * Reads a peer hub's own agencies page by page (POST <peer>/v1/peer/agencies, signed like a relay,
 * through the push transport) and stores those it serves as remote agencies reached through it.
 */
export async function syncPeerDirectory(db: Queryable, config: Config, peer: PeerHub): Promise<DirectorySyncCounts & { listed: number }> {
  const total: DirectorySyncCounts & { listed: number } = { added: 0, renamed: 0, updated: 0, unchanged: 0, 'kept-local': 0, 'kept-peer': 0, 'not-served': 0, listed: 0 };
  const seenAt = new Date();
  let after = '';
  for (let page = 0; page < 10_000; page++) {
    const res = await postToPeer(config, peer, `directory-${randomUUID()}`, JSON.stringify({ after }), 1, '/v1/peer/agencies', 'application/json');
    let answer: { agencies?: ListedAgency[]; next?: string | null };
    try {
      answer = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new PushError(`liên thông ${peer.id} trả lời danh bạ không phải JSON${res.incomplete ? ' (quá 64 KiB)' : ''}`, res.status);
    }
    const listed = (answer.agencies ?? []).filter((a) => typeof a.code === 'string' && /^[0-9A-Z.]{1,35}$/.test(a.code) && typeof a.name === 'string');
    const counts = await applyPeerDirectory(db, peer, listed.map((a) => ({ code: a.code, name: a.name.slice(0, 300), altCode: a.altCode && /^[0-9A-Z.]{1,35}$/.test(a.altCode) ? a.altCode : null })), seenAt);
    for (const k of Object.keys(counts) as (keyof DirectorySyncCounts)[]) total[k] += counts[k];
    total.listed += listed.length;
    if (!answer.next || answer.next <= after) break;
    after = answer.next;
  }
  await markPeerSeen(db, peer.id);
  return total;
}
