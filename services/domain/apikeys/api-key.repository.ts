import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/pool';

export interface ApiKeyPrincipal {
  keyId: string;
  agencyCode: string;
  scopes: string[];
  /** After this instant the key is refused (null: no expiry). */
  expiresAt?: Date | null;
  /** The agency's client certificate, when it registered one: its keys need it (see client-certificate.ts). */
  clientCert?: { fingerprint: string | null; subject: string | null } | null;
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Scopes a key may carry: `send` (documents, edXML, revoke, paper records), `read` (documents,
 * inbox, outbox, directory, the agency's own figures), `status` (statuses on dispatches, edXML
 * status messages) and `monitor` (every agency's figures and the province's reports).
 */
export const API_KEY_SCOPES = ['send', 'read', 'status', 'monitor'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
/** What an agency system's key gets unless told otherwise. */
export const DEFAULT_API_KEY_SCOPES: ApiKeyScope[] = ['send', 'read', 'status'];

export function isApiKeyScope(s: string): s is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(s);
}

/** Creates a key and returns it in clear once; only its hash is stored. */
export async function createApiKey(
  db: Queryable,
  agencyCode: string,
  label: string | null = null,
  scopes: string[] = DEFAULT_API_KEY_SCOPES,
  expiresAt: Date | null = null,
): Promise<{ id: string; key: string }> {
  const id = randomUUID();
  const key = `lt_${randomBytes(32).toString('base64url')}`;
  await db.query(`INSERT INTO api_keys (id, agency_code, label, key_hash, scopes, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
    id, agencyCode, label, hashKey(key), scopes.length ? scopes : DEFAULT_API_KEY_SCOPES, expiresAt,
  ]);
  return { id, key };
}

const PRINCIPAL_SQL = `SELECT k.id AS "keyId", k.agency_code AS "agencyCode", k.scopes, k.expires_at AS "expiresAt",
    CASE WHEN a.client_cert_fingerprint IS NULL AND a.client_cert_subject IS NULL THEN NULL
         ELSE json_build_object('fingerprint', a.client_cert_fingerprint, 'subject', a.client_cert_subject) END AS "clientCert"
  FROM api_keys k JOIN agencies a ON a.code = k.agency_code
 WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`;

export async function authenticateApiKey(db: Queryable, key: string): Promise<ApiKeyPrincipal | undefined> {
  if (!/^lt_[A-Za-z0-9_-]{43}$/.test(key)) return undefined;
  const r = await db.query<ApiKeyPrincipal>(PRINCIPAL_SQL, [hashKey(key)]);
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
  if (hit && hit.until > now && !(hit.principal.expiresAt && hit.principal.expiresAt.getTime() <= now)) return hit.principal;
  if (hit) verified.delete(id);
  const r = await db.query<ApiKeyPrincipal>(PRINCIPAL_SQL, [hash]);
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

export async function listApiKeys(db: Queryable): Promise<{ id: string; agencyCode: string; label: string | null; scopes: string[]; createdAt: Date; revokedAt: Date | null; expiresAt: Date | null }[]> {
  const r = await db.query(
    `SELECT id, agency_code AS "agencyCode", label, scopes, created_at AS "createdAt", revoked_at AS "revokedAt", expires_at AS "expiresAt" FROM api_keys ORDER BY created_at`,
  );
  return r.rows;
}
