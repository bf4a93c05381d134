import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { DomainError } from '../errors/domain-error';
import { enteredName } from '../names/entered-name';

export const DEPARTMENT_KINDS = { phong: 'Phòng', ban: 'Ban', don_vi: 'Đơn vị' } as const;
export type DepartmentKind = keyof typeof DEPARTMENT_KINDS;

export interface DepartmentRow {
  id: string;
  agencyCode: string;
  agencyName: string;
  name: string;
  kind: DepartmentKind;
  disabled: boolean;
  members: number;
}

function checkName(name: string): string {
  const n = enteredName(name);
  if (n.length < 1 || n.length > 200) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Tên phòng, đơn vị gồm 1–200 ký tự.', [{ path: 'name' }]);
  return n;
}

function kindOf(kind: string): DepartmentKind {
  if (!(kind in DEPARTMENT_KINDS)) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Loại đơn vị không hợp lệ.', [{ path: 'kind' }]);
  return kind as DepartmentKind;
}

function duplicate(err: unknown, name: string): never {
  if ((err as { code?: string }).code === '23505') throw new DomainError(ErrorCode.CONFLICT, `Cơ quan đã có phòng, đơn vị “${name}”.`, [{ path: 'name' }]);
  if ((err as { code?: string }).code === '23503') throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Không có cơ quan này trong danh bạ.', [{ path: 'agency' }]);
  throw err;
}

export async function createDepartment(db: Queryable, d: { agencyCode: string; name: string; kind?: string }): Promise<{ id: string }> {
  const name = checkName(d.name);
  const id = randomUUID();
  try {
    await db.query(`INSERT INTO departments (id, agency_code, name, kind) VALUES ($1, $2, $3, $4)`, [id, d.agencyCode, name, kindOf(d.kind ?? 'phong')]);
  } catch (err) {
    duplicate(err, name);
  }
  return { id };
}

export async function updateDepartment(db: Queryable, id: string, d: { name: string; kind: string; disabled: boolean }): Promise<void> {
  const name = checkName(d.name);
  try {
    const r = await db.query(
      `UPDATE departments SET name = $2, kind = $3, disabled_at = CASE WHEN $4 THEN COALESCE(disabled_at, now()) END WHERE id = $1`,
      [id, name, kindOf(d.kind), d.disabled],
    );
    if (r.rowCount === 0) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có phòng, đơn vị này.');
  } catch (err) {
    if (err instanceof DomainError) throw err;
    duplicate(err, name);
  }
}

/** The departments of one agency (or all), with how many active users each has. */
export async function listDepartments(db: Queryable, agencyCode?: string, activeOnly = false): Promise<DepartmentRow[]> {
  const r = await db.query(
    `SELECT p.id, p.agency_code AS "agencyCode", a.name AS "agencyName", p.name, p.kind, (p.disabled_at IS NOT NULL) AS disabled,
            (SELECT count(*)::int FROM users u WHERE u.department_id = p.id AND u.disabled_at IS NULL) AS members
       FROM departments p JOIN agencies a ON a.code = p.agency_code
      WHERE ($1::text IS NULL OR p.agency_code = $1) AND (NOT $2 OR p.disabled_at IS NULL)
      ORDER BY p.agency_code, p.name`,
    [agencyCode ?? null, activeOnly],
  );
  return r.rows;
}
