/** The roles a web user holds (one each). Stored in users.role: a wire format, never rename. */
export const ROLES = ['clerk', 'leader', 'unit_head', 'specialist', 'monitor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

export const ROLE_LABELS: Record<Role, string> = {
  clerk: 'Văn thư',
  leader: 'Lãnh đạo',
  unit_head: 'Lãnh đạo phòng',
  specialist: 'Chuyên viên',
  monitor: 'Giám sát',
  admin: 'Quản trị',
};

/** Roles that belong to a department (phòng, ban, đơn vị). */
export const DEPARTMENT_ROLES: readonly Role[] = ['unit_head', 'specialist'];
