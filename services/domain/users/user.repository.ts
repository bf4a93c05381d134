import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { DomainError } from '../errors/domain-error';
import { hashPassword, passwordProblem } from './password';
import type { Role } from './roles';
import { enteredName } from '../names/entered-name';

export interface UserRow {
  id: string;
  agencyCode: string;
  agencyName: string;
  username: string;
  fullName: string | null;
  role: Role;
  departmentId: string | null;
}

const USERNAME = /^[a-z0-9._-]{3,64}$/;

export function normaliseUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

export interface NewUser {
  agencyCode: string;
  username: string;
  role: Role;
  password: string;
  fullName?: string | null;
  departmentId?: string | null;
  email?: string | null;
}

/** Adds a user; the password is hashed here and never stored or logged in clear. */
export async function createUser(db: Queryable, u: NewUser): Promise<{ id: string; username: string }> {
  const username = normaliseUsername(u.username);
  if (!USERNAME.test(username)) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Tên đăng nhập gồm 3–64 ký tự a-z, 0-9, dấu chấm, gạch dưới, gạch ngang.', [{ path: 'username' }]);
  }
  const problem = passwordProblem(u.password);
  if (problem) throw new DomainError(ErrorCode.VALIDATION_FAILED, problem, [{ path: 'password' }]);
  const agency = await db.query(`SELECT 1 FROM agencies WHERE code = $1`, [u.agencyCode]);
  if (agency.rowCount === 0) throw new DomainError(ErrorCode.VALIDATION_FAILED, `Không có cơ quan ${u.agencyCode} trong danh bạ.`, [{ path: 'agency' }]);
  await checkDepartment(db, u.agencyCode, u.departmentId ?? null, u.role);
  const id = randomUUID();
  try {
    await db.query(
      `INSERT INTO users (id, agency_code, username, full_name, role, password_hash, department_id, email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, u.agencyCode, username, u.fullName ? enteredName(u.fullName) || null : null, u.role, await hashPassword(u.password), u.departmentId ?? null, u.email ?? null],
    );
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new DomainError(ErrorCode.CONFLICT, `Tên đăng nhập ${username} đã có.`, [{ path: 'username' }]);
    }
    throw err;
  }
  return { id, username };
}

export async function findUserForSignIn(db: Queryable, username: string): Promise<(UserRow & { passwordHash: string }) | undefined> {
  const r = await db.query(
    `SELECT u.id, u.agency_code AS "agencyCode", a.name AS "agencyName", u.username, u.full_name AS "fullName", u.role,
            u.department_id AS "departmentId", u.password_hash AS "passwordHash"
       FROM users u JOIN agencies a ON a.code = u.agency_code
      WHERE u.username = $1 AND u.disabled_at IS NULL`,
    [normaliseUsername(username)],
  );
  return r.rows[0];
}

export interface ListedUser extends UserRow {
  createdAt: Date;
  disabled: boolean;
  email: string | null;
  departmentName: string | null;
}

export async function listUsers(db: Queryable, agencyCode?: string): Promise<ListedUser[]> {
  const r = await db.query(
    `SELECT u.id, u.agency_code AS "agencyCode", a.name AS "agencyName", u.username, u.full_name AS "fullName", u.role,
            u.department_id AS "departmentId", p.name AS "departmentName", u.email,
            u.created_at AS "createdAt", (u.disabled_at IS NOT NULL) AS disabled
       FROM users u JOIN agencies a ON a.code = u.agency_code LEFT JOIN departments p ON p.id = u.department_id
      WHERE $1::text IS NULL OR u.agency_code = $1 ORDER BY a.name COLLATE vi_vn, u.username`,
    [agencyCode ?? null],
  );
  return r.rows;
}

/** A department given for a user must be one of the user's agency. */
/** Roles that work inside one department (Decree 30: the unit head heads it, the specialist belongs to it). */
export const DEPARTMENT_ROLES: readonly Role[] = ['unit_head', 'specialist'];

export function departmentRequiredProblem(role: Role, departmentId: string | null): string | null {
  return DEPARTMENT_ROLES.includes(role) && !departmentId ? 'Lãnh đạo phòng và chuyên viên phải thuộc một phòng, đơn vị: hãy chọn phòng.' : null;
}

/** The department must be given to the roles that need one, belong to the user's agency and be in use. */
async function checkDepartment(db: Queryable, agencyCode: string, departmentId: string | null, role: Role): Promise<void> {
  const required = departmentRequiredProblem(role, departmentId);
  if (required) throw new DomainError(ErrorCode.VALIDATION_FAILED, required, [{ path: 'department' }]);
  if (!departmentId) return;
  const r = await db.query<{ disabled: boolean }>(`SELECT disabled_at IS NOT NULL AS disabled FROM departments WHERE id::text = $1 AND agency_code = $2`, [departmentId, agencyCode]);
  if (r.rowCount === 0) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Phòng, đơn vị không thuộc cơ quan của người dùng.', [{ path: 'department' }]);
  if (r.rows[0]!.disabled) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Phòng, đơn vị này đã ngừng hoạt động.', [{ path: 'department' }]);
}
