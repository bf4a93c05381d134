import type { Queryable } from '../../db/pool';

export interface LockoutPolicy {
  /** Attempts of one username within the window that lock it (a success gives them back). */
  maxFailuresPerUsername: number;
  windowMs: number;
  lockMs: number;
  /**
   * Unsuccessful attempts from one client address within the window answered at once (a success
   * gives its attempt back). Beyond them
   * each attempt waits a little longer (doubling from `ipDelayBaseMs`, at most `ipDelayMaxMs`):
   * an address is slowed down, never locked, so a flood of random usernames from the proxy's or
   * an agency's shared address cannot lock out the people behind it.
   */
  freeAttemptsPerIp: number;
  ipDelayBaseMs: number;
  ipDelayMaxMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = {
  maxFailuresPerUsername: 5,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  freeAttemptsPerIp: 10,
  ipDelayBaseMs: 250,
  ipDelayMaxMs: 8_000,
};

export interface Reservation {
  /** The username is locked (already, or by this attempt): the password must not be checked. */
  lockedUntil: Date | null;
  /** How long to wait before checking the password, for the client address's recent attempts. */
  delayMs: number;
}

/**
 * Counts an attempt BEFORE its password is checked, for the username and the client address, in
 * one statement: the row locks of the upsert serialise parallel attempts, so of 14 parallel
 * guesses only the first `maxFailuresPerUsername` are ever checked and the rest find the lock.
 * A window that has passed, or a lock that has ended, starts the count again.
 */
export async function reserveAttempt(db: Queryable, username: string, ip: string, p: LockoutPolicy): Promise<Reservation> {
  const fresh = `(c.window_started_at < now() - make_interval(secs => $3) OR COALESCE(c.locked_until <= now(), false))`;
  const r = await db.query<{ scope: string; attempts: number; lockedUntil: Date | null }>(
    `INSERT INTO login_counters AS c (scope, key, attempts, window_started_at, locked_until)
     VALUES ('username', $1, 1, now(), CASE WHEN 1 > $4 THEN now() + make_interval(secs => $5) END), ('ip', $2, 1, now(), NULL)
     ON CONFLICT (scope, key) DO UPDATE SET
       attempts = CASE WHEN ${fresh} THEN 1 ELSE c.attempts + 1 END,
       window_started_at = CASE WHEN ${fresh} THEN now() ELSE c.window_started_at END,
       locked_until = CASE
         WHEN c.locked_until > now() THEN c.locked_until
         WHEN c.scope = 'username' AND NOT ${fresh} AND c.attempts + 1 > $4 THEN now() + make_interval(secs => $5)
         ELSE NULL END
     RETURNING scope, attempts, locked_until AS "lockedUntil"`,
    [username, ip, p.windowMs / 1000, p.maxFailuresPerUsername, p.lockMs / 1000],
  );
  const user = r.rows.find((x) => x.scope === 'username');
  const addr = r.rows.find((x) => x.scope === 'ip');
  const over = Math.max(0, (addr?.attempts ?? 0) - p.freeAttemptsPerIp);
  const delayMs = over === 0 ? 0 : Math.min(p.ipDelayMaxMs, p.ipDelayBaseMs * 2 ** Math.min(over - 1, 30));
  return { lockedUntil: user?.lockedUntil ?? null, delayMs };
}

/**
 * After a wrong password: the username locks as soon as its count reached the limit (one
 * statement, so two failures finishing together cannot both miss it). Returns the lock's end.
 */
export async function lockIfLimitReached(db: Queryable, username: string, p: LockoutPolicy): Promise<Date | null> {
  const r = await db.query<{ until: Date }>(
    `UPDATE login_counters SET locked_until = now() + make_interval(secs => $3)
      WHERE scope = 'username' AND key = $1 AND attempts >= $2 AND (locked_until IS NULL OR locked_until <= now())
      RETURNING locked_until AS until`,
    [username, p.maxFailuresPerUsername, p.lockMs / 1000],
  );
  return r.rows[0]?.until ?? null;
}

/**
 * A right password gives the username's reserved attempts back (a lock set meanwhile stays), and
 * its own attempt back to the address: a morning of correct sign-ins behind one NAT slows no one.
 */
export async function clearAttempts(db: Queryable, username: string, ip: string): Promise<void> {
  await db.query(
    `UPDATE login_counters SET attempts = CASE WHEN scope = 'username' THEN 0 ELSE GREATEST(attempts - 1, 0) END
      WHERE ((scope = 'username' AND key = $1 AND locked_until IS NULL) OR (scope = 'ip' AND key = $2))`,
    [username, ip],
  );
}

/** The history of attempts (who, from where, how it ended), for the audit trail. */
export async function recordAttempt(db: Queryable, username: string, ip: string, outcome: 'success' | 'failure' | 'locked'): Promise<void> {
  await db.query(`INSERT INTO login_attempts (username, ip, outcome) VALUES ($1, $2, $3)`, [username, ip, outcome]);
}
