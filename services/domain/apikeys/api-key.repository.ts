import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/pool';

export interface ApiKeyPrincipal {
  keyId: string;
  agencyCode: string;
  scopes: string[];
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Creates a key and returns it in clear once; only its hash is stored. */
/** Scopes a key may carry: `monitor` reads every agency's figures and reports. */
export const API_KEY_SCOPES = ['monitor'] as const;

export async function createApiKey(
  db: Queryable,
  agencyCode: string,
  label: string | null = null,
  scopes: string[] = [],
): Promise<{ id: string; key: string }> {
  const id = randomUUID();
  const key = `lt_${randomBytes(32).toString('base64url')}`;
  await db.query(`INSERT INTO api_keys (id, agency_code, label, key_hash, scopes) VALUES ($1, $2, $3, $4, $5)`, [id, agencyCode, label, hashKey(key), scopes]);
  return { id, key };
}

export async function authenticateApiKey(db: Queryable, key: string): Promise<ApiKeyPrincipal | undefined> {
  if (!/^lt_[A-Za-z0-9_-]{43}$/.test(key)) return undefined;
  const r = await db.query<ApiKeyPrincipal>(
    `SELECT id AS "keyId", agency_code AS "agencyCode", scopes FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hashKey(key)],
  );
  return r.rows[0];
}

/**
 * How long a gateway trusts a key it has checked without asking PostgreSQL again. A key revoked
 * through revokeApiKey (the web admin page, the CLI) is forgotten at once by the process that
 * revoked it; every other process (another gateway, or a revocation made straight in SQL) refuses
 * it within this time.
 */
export const API_KEY_CACHE_MS = 5_000;
const CACHE_MAX_KEYS = 10_000;

/** Keys checked recently, by the hex SHA-256 of the key (the clear key is never kept). */
const verified = new Map<string, { principal: ApiKeyPrincipal; until: number }>();

/**
 * authenticateApiKey with a short memory (API_KEY_CACHE_MS): an agency system posting documents
 * one after another costs one key lookup per few seconds instead of one per request. Unknown and
 * revoked keys are not remembered: each such request asks the database.
 */
export async function authenticateApiKeyCached(db: Queryable, key: string, now = Date.now()): Promise<ApiKeyPrincipal | undefined> {
  if (!/^lt_[A-Za-z0-9_-]{43}$/.test(key)) return undefined;
  const hash = hashKey(key);
  const id = hash.toString('hex');
  const hit = verified.get(id);
  if (hit && hit.until > now) return hit.principal;
  if (hit) verified.delete(id);
  const r = await db.query<ApiKeyPrincipal>(
    `SELECT id AS "keyId", agency_code AS "agencyCode", scopes FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hash],
  );
  const principal = r.rows[0];
  if (principal) {
    Object.freeze(principal.scopes);
    Object.freeze(principal);
    if (verified.size >= CACHE_MAX_KEYS) verified.clear();
    verified.set(id, { principal, until: now + API_KEY_CACHE_MS });
  }
  return principal;
}

/** Forgets every remembered key (tests; a process that learns of a revocation some other way). */
export function forgetVerifiedApiKeys(keyId?: string): void {
  if (keyId === undefined) return verified.clear();
  for (const [hash, entry] of verified) if (entry.principal.keyId === keyId) verified.delete(hash);
}

export async function revokeApiKey(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id]);
  forgetVerifiedApiKeys(id);
  return (r.rowCount ?? 0) > 0;
}

export async function listApiKeys(db: Queryable): Promise<{ id: string; agencyCode: string; label: string | null; scopes: string[]; createdAt: Date; revokedAt: Date | null }[]> {
  const r = await db.query(
    `SELECT id, agency_code AS "agencyCode", label, scopes, created_at AS "createdAt", revoked_at AS "revokedAt" FROM api_keys ORDER BY created_at`,
  );
  return r.rows;
}
