import { ErrorCode } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { inTransaction, type Db } from '../../db/pool';
import { DomainError } from '../errors/domain-error';
import { enteredName } from '../names/entered-name';
import { hashPassword, passwordProblem, verifyPassword } from './password';
import type { Role } from './roles';
import { departmentRequiredProblem } from './user.repository';

export interface UserChanges {
  fullName: string | null;
  role: Role;
  departmentId: string | null;
  email: string | null;
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** Edits a user's name, role, department and e-mail; the department must be of the user's agency. */
export async function updateUser(db: Queryable, userId: string, c: UserChanges): Promise<void> {
  if (c.email && !EMAIL.test(c.email)) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Địa chỉ thư điện tử không hợp lệ.', [{ path: 'email' }]);
  const required = departmentRequiredProblem(c.role, c.departmentId);
  if (required) throw new DomainError(ErrorCode.VALIDATION_FAILED, required, [{ path: 'department' }]);
  const r = await db.query(
    `UPDATE users u SET full_name = $2, role = $3, department_id = $4, email = $5
      WHERE u.id = $1 AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM departments p WHERE p.id = $4 AND p.agency_code = u.agency_code))`,
    [userId, c.fullName ? enteredName(c.fullName) || null : null, c.role, c.departmentId, c.email],
  );
  if (r.rowCount === 0) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Không có người dùng này, hoặc phòng không thuộc cơ quan của người dùng.');
}

/**
 * Disables (or enables again) a user. A disabled user cannot sign in, and every open session ends
 * at once: the sessions are deleted, and the session lookup also refuses a disabled user.
 */
export async function setUserDisabled(db: Db, userId: string, disabled: boolean): Promise<void> {
  await inTransaction(db, async (tx) => {
    const r = await tx.query(`UPDATE users SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, now()) END WHERE id = $1`, [userId, disabled]);
    if (r.rowCount === 0) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có người dùng này.');
    if (disabled) await tx.query(`DELETE FROM sessions WHERE user_id = $1`, [userId]);
  });
}

/** An administrator sets a new password; the user's sessions end. */
export async function resetPassword(db: Db, userId: string, password: string): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new DomainError(ErrorCode.VALIDATION_FAILED, problem, [{ path: 'password' }]);
  const hash = await hashPassword(password);
  await inTransaction(db, async (tx) => {
    const r = await tx.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [userId, hash]);
    if (r.rowCount === 0) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có người dùng này.');
    await tx.query(`DELETE FROM sessions WHERE user_id = $1`, [userId]);
  });
}

/** A user changes their own password: the current one is checked; other sessions end. */
export async function changeOwnPassword(db: Db, userId: string, current: string, next: string, keepSessionHash?: Buffer): Promise<void> {
  const r = await db.query<{ hash: string }>(`SELECT password_hash AS hash FROM users WHERE id = $1 AND disabled_at IS NULL`, [userId]);
  const ok = await verifyPassword(r.rows[0]?.hash ?? null, current);
  if (!ok) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Mật khẩu hiện tại không đúng.', [{ path: 'current' }]);
  const problem = passwordProblem(next);
  if (problem) throw new DomainError(ErrorCode.VALIDATION_FAILED, problem, [{ path: 'password' }]);
  const hash = await hashPassword(next);
  await inTransaction(db, async (tx) => {
    await tx.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [userId, hash]);
    await tx.query(`DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR id_hash <> $2)`, [userId, keepSessionHash ?? null]);
  });
}
