import type { Queryable } from '../../db/pool';

export interface LockoutPolicy {
  /** Failures of one username within the window that lock it. */
  maxFailuresPerUsername: number;
  /**
   * Failures from one address that lock the address. Higher than per username: the clerks of a
   * whole agency often share one NAT address, and one forgetful clerk must not lock them all out.
   */
  maxFailuresPerIp: number;
  windowMs: number;
  lockMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = {
  maxFailuresPerUsername: 5,
  maxFailuresPerIp: 20,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
};

export type LockScope = 'username' | 'ip';

export async function activeLock(db: Queryable, username: string, ip: string): Promise<{ scope: LockScope; until: Date } | undefined> {
  const r = await db.query(
    `SELECT scope, locked_until AS until FROM login_locks
      WHERE ((scope = 'username' AND key = $1) OR (scope = 'ip' AND key = $2)) AND locked_until > now()
      ORDER BY locked_until DESC LIMIT 1`,
    [username, ip],
  );
  return r.rows[0];
}

export async function recordAttempt(db: Queryable, username: string, ip: string, outcome: 'success' | 'failure' | 'locked'): Promise<void> {
  await db.query(`INSERT INTO login_attempts (username, ip, outcome) VALUES ($1, $2, $3)`, [username, ip, outcome]);
}

/**
 * After a failure: counts the failures of each key inside the window that came after its last
 * success and after its last lock ended, and locks the keys that reached their limit.
 */
export async function lockIfTooManyFailures(db: Queryable, username: string, ip: string, p: LockoutPolicy): Promise<{ scope: LockScope; key: string; until: Date }[]> {
  const locked: { scope: LockScope; key: string; until: Date }[] = [];
  for (const [scope, key, max] of [['username', username, p.maxFailuresPerUsername], ['ip', ip, p.maxFailuresPerIp]] as const) {
    const column = scope === 'username' ? 'username' : 'ip';
    const r = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM login_attempts a
        WHERE a.${column} = $1 AND a.outcome = 'failure' AND a.at > now() - make_interval(secs => $2)
          AND a.at > COALESCE((SELECT max(at) FROM login_attempts s WHERE s.${column} = $1 AND s.outcome = 'success'), '-infinity')
          AND a.at > COALESCE((SELECT locked_until FROM login_locks l WHERE l.scope = $3 AND l.key = $1), '-infinity')`,
      [key, p.windowMs / 1000, scope],
    );
    if ((r.rows[0]?.n ?? 0) >= max) {
      const l = await db.query<{ until: Date }>(
        `INSERT INTO login_locks (scope, key, locked_until) VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT (scope, key) DO UPDATE SET locked_until = EXCLUDED.locked_until RETURNING locked_until AS until`,
        [scope, key, p.lockMs / 1000],
      );
      locked.push({ scope, key, until: l.rows[0]!.until });
    }
  }
  return locked;
}
