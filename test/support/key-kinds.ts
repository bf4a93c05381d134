import { randomBytes } from 'node:crypto';
import type { Db } from '../../services/db/pool';
import { createApiKey, revokeApiKey } from '../../services/domain/apikeys/api-key.repository';
import { MONITOR_SCOPE } from '../../services/stats/stats-access';
import { createAgencies, type TestAgency } from './agencies.fixture';

/**
 * Who is knocking, in the order the authorization sweep tries them (the owner last: it may change
 * state). `wrongScope` is the owner's own key without the scope the route needs; `expired` the
 * owner's key past its expiry.
 */
export const KEY_KINDS = ['none', 'unknown', 'revoked', 'expired', 'wrongScope', 'other', 'monitor', 'own'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export interface KeyRing {
  sender: TestAgency;
  recipient: TestAgency;
  other: TestAgency;
  monitorAgency: TestAgency;
  monitorKey: string;
  revokedKey: string;
  unknownKey: string;
  /** Per owner agency: a key with exactly one scope, and an expired key. */
  scoped: Record<string, Record<'send' | 'read' | 'status', string>>;
  expired: Record<string, string>;
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
  const scoped: KeyRing['scoped'] = {};
  const expired: KeyRing['expired'] = {};
  for (const a of [sender, recipient]) {
    const one = async (scope: 'send' | 'read' | 'status') => (await createApiKey(db, a.code, `${scope} only`, [scope])).key;
    scoped[a.code] = { send: await one('send'), read: await one('read'), status: await one('status') };
    expired[a.code] = (await createApiKey(db, a.code, 'expired', ['send', 'read', 'status'], new Date(Date.now() - 60_000))).key;
  }
  return { sender, recipient, other, monitorAgency, monitorKey, revokedKey: revoked.key, unknownKey: `lt_${randomBytes(32).toString('base64url')}`, scoped, expired };
}

/** A key of `owner` holding none of `needed` (the route's scopes): send-only, else read-only. */
function lackingKey(ring: KeyRing, owner: TestAgency, needed: readonly string[]): string {
  const keys = ring.scoped[owner.code]!;
  const scope = (['read', 'send', 'status'] as const).find((s) => !needed.includes(s))!;
  return keys[scope];
}

/** The Authorization header of a key kind, given which agency owns the resource and the scopes the route needs. */
export function authHeader(ring: KeyRing, kind: KeyKind, owner: TestAgency, needed: readonly string[] = []): Record<string, string> {
  const key = {
    none: undefined,
    unknown: ring.unknownKey,
    revoked: ring.revokedKey,
    expired: ring.expired[owner.code],
    wrongScope: lackingKey(ring, owner, needed),
    other: ring.other.apiKey,
    monitor: ring.monitorKey,
    own: owner.apiKey,
  }[kind];
  return key ? { authorization: `Bearer ${key}` } : {};
}
