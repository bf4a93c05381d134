import type { Db } from '../db/pool';
import { upsertRemoteAgency, type RemoteUpsertOutcome } from '../domain/agencies/agency.repository';
import type { AxisAgency, AxisClient } from './axis-client';

const CODE = /^[0-9A-Z.]{1,35}$/;

export type AxisSyncCounts = Record<RemoteUpsertOutcome | 'skipped', number>;

/**
 * The agencies the axis lists, into the directory: reached through the axis, with both code forms
 * and the time they were last seen; a changed name is applied. An agency is known here by the
 * identifier edXML envelopes name it by — its QCVN 102 identifier when it has one, else its
 * Decision-20 code — and keeps the other form beside it. Local agencies and agencies a peer hub
 * serves are never taken over (upsertRemoteAgency).
 */
export async function syncAxisDirectory(db: Db, client: AxisClient, now = new Date()): Promise<AxisSyncCounts> {
  const counts: AxisSyncCounts = { added: 0, renamed: 0, updated: 0, unchanged: 0, 'kept-local': 0, 'kept-peer': 0, skipped: 0 };
  for (const a of await client.listAgencies()) {
    const forms = codeForms(a);
    if (!forms || !a.name) {
      counts.skipped++;
      continue;
    }
    try {
      counts[await upsertRemoteAgency(db, { ...forms, name: a.name.slice(0, 500), reachedVia: 'axis', seenAt: now })]++;
    } catch {
      // A code another agency already holds as its second form, or a reserved prefix: not this agency's to take.
      counts.skipped++;
    }
  }
  await db.query(`UPDATE axis_state SET last_sync_at = $1 WHERE id = 1`, [now]);
  return counts;
}

function codeForms(a: AxisAgency): { code: string; altCode: string | null } | undefined {
  const d20 = CODE.test(a.code) ? a.code : null;
  const q102 = a.code102 && CODE.test(a.code102) ? a.code102 : null;
  const code = q102 ?? d20;
  if (!code || code.startsWith('SANDBOX.')) return undefined;
  return { code, altCode: code === q102 ? d20 : null };
}
