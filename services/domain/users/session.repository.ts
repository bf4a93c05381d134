import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/pool';
import type { UserRow } from './user.repository';

/** Idle sessions end after 2 hours; none lives longer than a working day and a half. */
export const SESSION_IDLE_MS = 2 * 3600_000;
export const SESSION_MAX_MS = 12 * 3600_000;

export interface SessionUser extends UserRow {
  csrfToken: string;
}

/** What the sessions table keeps of a session id (never the id itself). */
export function sessionIdHash(id: string): Buffer {
  return createHash('sha256').update(id, 'utf8').digest();
}

export function isSessionIdShape(id: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(id);
}

export async function createSession(db: Queryable, userId: string, meta: { ip: string; userAgent: string | null }): Promise<{ id: string; csrfToken: string }> {
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, $6)`,
    [sessionIdHash(id), userId, csrfToken, SESSION_IDLE_MS / 1000, meta.ip, meta.userAgent?.slice(0, 300) ?? null],
  );
  return { id, csrfToken };
}

/**
 * The signed-in user of a session id, sliding the idle expiry (at most once a minute, to keep
 * page views from writing on every request) but never past the absolute limit.
 */
export async function findSessionUser(db: Queryable, id: string): Promise<SessionUser | undefined> {
  if (!isSessionIdShape(id)) return undefined;
  const r = await db.query(
    `WITH s AS (
       UPDATE sessions SET last_seen_at = now(),
              expires_at = LEAST(now() + make_interval(secs => $2), created_at + make_interval(secs => $3))
        WHERE id_hash = $1 AND expires_at > now() AND last_seen_at < now() - interval '1 minute'
        RETURNING id_hash)
     SELECT u.id, u.agency_code AS "agencyCode", a.name AS "agencyName", u.username, u.full_name AS "fullName", u.role,
            u.department_id AS "departmentId", x.csrf_token AS "csrfToken"
       FROM sessions x JOIN users u ON u.id = x.user_id JOIN agencies a ON a.code = u.agency_code
      WHERE x.id_hash = $1 AND x.expires_at > now() AND u.disabled_at IS NULL`,
    [sessionIdHash(id), SESSION_IDLE_MS / 1000, SESSION_MAX_MS / 1000],
  );
  return r.rows[0];
}

export async function deleteSession(db: Queryable, id: string): Promise<void> {
  if (!isSessionIdShape(id)) return;
  await db.query(`DELETE FROM sessions WHERE id_hash = $1`, [sessionIdHash(id)]);
}

export async function deleteExpiredSessions(db: Queryable): Promise<number> {
  const r = await db.query(`DELETE FROM sessions WHERE expires_at < now()`);
  return r.rowCount ?? 0;
}
