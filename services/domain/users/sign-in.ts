import type { Db } from '../../db/pool';
import { logger } from '../../logging/logger';
import { appendAudit } from './audit.repository';
import { setTimeout as sleep } from 'node:timers/promises';
import { clearAttempts, DEFAULT_LOCKOUT, lockIfLimitReached, recordAttempt, reserveAttempt, type LockoutPolicy } from './login-lockout';
import { verifyPassword } from './password';
import { createSession, deleteExpiredSessions, deleteSession } from './session.repository';
import { findUserForSignIn, normaliseUsername, type UserRow } from './user.repository';

const log = logger('sign-in');

export interface SignInRequest {
  username: string;
  password: string;
  ip: string;
  userAgent: string | null;
  /** The session cookie the browser already had, if any: it is destroyed, never upgraded. */
  previousSessionId: string | null;
}

export type SignInResult =
  | { ok: true; user: UserRow; sessionId: string; csrfToken: string }
  | { ok: false; reason: 'invalid' | 'locked'; until?: Date };

/**
 * Checks a password and opens a fresh session. The attempt is counted before the password is
 * looked at (one statement, see reserveAttempt): a locked username is refused without checking
 * (so a locked account answers the same to a right guess), and an address with many recent
 * attempts waits a little before its check. Every outcome lands in audit_log — with the username
 * and address, never the password.
 */
export async function signIn(db: Db, req: SignInRequest, policy: LockoutPolicy = DEFAULT_LOCKOUT): Promise<SignInResult> {
  const username = normaliseUsername(req.username).slice(0, 64);
  const reserved = await reserveAttempt(db, username, req.ip, policy);
  if (reserved.lockedUntil && reserved.lockedUntil.getTime() > Date.now()) {
    await recordAttempt(db, username, req.ip, 'locked');
    await appendAudit(db, username, 'login.refused_locked', { username, ip: req.ip, scope: 'username', until: reserved.lockedUntil });
    return { ok: false, reason: 'locked', until: reserved.lockedUntil };
  }
  if (reserved.delayMs > 0) await sleep(reserved.delayMs);
  const user = await findUserForSignIn(db, username);
  const valid = await verifyPassword(user?.passwordHash ?? null, req.password);
  if (!user || !valid) {
    await recordAttempt(db, username, req.ip, 'failure');
    await appendAudit(db, username, 'login.failure', { username, ip: req.ip, knownUser: Boolean(user), delayedMs: reserved.delayMs });
    const until = await lockIfLimitReached(db, username, policy);
    if (until) {
      await appendAudit(db, username, 'login.lockout', { scope: 'username', key: username, until, ip: req.ip });
      log.warn({ scope: 'username', key: username, until }, 'sign-in locked after repeated failures');
      return { ok: false, reason: 'locked', until };
    }
    return { ok: false, reason: 'invalid' };
  }
  await clearAttempts(db, username, req.ip);
  await recordAttempt(db, username, req.ip, 'success');
  if (req.previousSessionId) await deleteSession(db, req.previousSessionId);
  await deleteExpiredSessions(db);
  const session = await createSession(db, user.id, { ip: req.ip, userAgent: req.userAgent });
  await appendAudit(db, username, 'login.success', { username, ip: req.ip, agency: user.agencyCode, role: user.role });
  const { passwordHash: _h, ...row } = user;
  return { ok: true, user: row, sessionId: session.id, csrfToken: session.csrfToken };
}

export async function signOut(db: Db, sessionId: string, username: string): Promise<void> {
  await deleteSession(db, sessionId);
  await appendAudit(db, username, 'logout', { username });
}
