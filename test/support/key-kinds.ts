import { randomBytes } from 'node:crypto';
import type { Db } from '../../services/db/pool';
import { createApiKey, revokeApiKey } from '../../services/domain/apikeys/api-key.repository';
import { MONITOR_SCOPE } from '../../services/stats/stats-access';
import { createAgencies, type TestAgency } from './agencies.fixture';

/** Who is knocking, in the order the authorization sweep tries them (the owner last: it may change state). */
export const KEY_KINDS = ['none', 'unknown', 'revoked', 'other', 'monitor', 'own'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export interface KeyRing {
  sender: TestAgency;
  recipient: TestAgency;
  other: TestAgency;
  monitorAgency: TestAgency;
  monitorKey: string;
  revokedKey: string;
  unknownKey: string;
}

/**
 * Agencies and keys for an authorization sweep: a sender and a recipient (the owners), a stranger,
 * a monitor-scoped key of a fourth agency, a revoked key of the sender, and a well-formed key that
 * was never issued.
 */
export async function keyRing(db: Db): Promise<KeyRing> {
  const [sender, recipient, other, monitorAgency] = (await createAgencies(db, 4)) as [TestAgency, TestAgency, TestAgency, TestAgency];
  const monitorKey = (await createApiKey(db, monitorAgency.code, 'monitor', [MONITOR_SCOPE])).key;
  const revoked = await createApiKey(db, sender.code, 'to be revoked');
  await revokeApiKey(db, revoked.id);
  return { sender, recipient, other, monitorAgency, monitorKey, revokedKey: revoked.key, unknownKey: `lt_${randomBytes(32).toString('base64url')}` };
}

/** The Authorization header of a key kind, given which agency owns the resource. */
export function authHeader(ring: KeyRing, kind: KeyKind, owner: TestAgency): Record<string, string> {
  const key = { none: undefined, unknown: ring.unknownKey, revoked: ring.revokedKey, other: ring.other.apiKey, monitor: ring.monitorKey, own: owner.apiKey }[kind];
  return key ? { authorization: `Bearer ${key}` } : {};
}
