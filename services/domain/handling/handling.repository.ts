import type { Queryable } from '../../db/pool';

export type HandlingStage = 'registered' | 'submitted' | 'assigned' | 'in_progress' | 'completed';

export interface HandlingAssignee {
  role: 'lead' | 'support';
  departmentId: string | null;
  userId: string | null;
  name: string;
}

export interface HandlingStep {
  id: number;
  at: Date;
  actorName: string;
  actorRole: string;
  kind: 'register' | 'submit' | 'assign' | 'assign_person' | 'note' | 'complete' | 'forward' | 'return';
  note: string | null;
  fileSha256: string | null;
  fileName: string | null;
}

export interface Handling {
  dispatchId: string;
  agencyCode: string;
  stage: HandlingStage;
  deadlineOn: string | null;
  instruction: string | null;
  leadDepartmentId: string | null;
  leadDepartmentName: string | null;
  leadUserId: string | null;
  handlerUserId: string | null;
  handlerName: string | null;
  result: string | null;
  completedAt: Date | null;
  assignees: HandlingAssignee[];
  steps: HandlingStep[];
}

/** The handling of one registered copy of the agency, with its assignees and steps; undefined before registration. */
export async function loadHandling(db: Queryable, agencyCode: string, dispatchId: string): Promise<Handling | undefined> {
  const r = await db.query(
    `SELECT h.dispatch_id AS "dispatchId", h.agency_code AS "agencyCode", h.stage, h.deadline_on::text AS "deadlineOn", h.instruction,
            h.lead_department_id AS "leadDepartmentId", p.name AS "leadDepartmentName", h.lead_user_id AS "leadUserId",
            h.handler_user_id AS "handlerUserId", COALESCE(hu.full_name, hu.username) AS "handlerName", h.result, h.completed_at AS "completedAt"
       FROM incoming_handling h LEFT JOIN departments p ON p.id = h.lead_department_id LEFT JOIN users hu ON hu.id = h.handler_user_id
      WHERE h.dispatch_id = $1 AND h.agency_code = $2`,
    [dispatchId, agencyCode],
  );
  const h = r.rows[0];
  if (!h) return undefined;
  const [a, s] = await Promise.all([
    db.query(
      `SELECT x.role, x.department_id AS "departmentId", x.user_id AS "userId", COALESCE(p.name, u.full_name, u.username) AS name
         FROM incoming_assignees x LEFT JOIN departments p ON p.id = x.department_id LEFT JOIN users u ON u.id = x.user_id
        WHERE x.dispatch_id = $1 ORDER BY x.role, name`,
      [dispatchId],
    ),
    db.query(
      `SELECT id::int, at, actor_name AS "actorName", actor_role AS "actorRole", kind, note, file_sha256 AS "fileSha256", file_name AS "fileName"
         FROM incoming_steps WHERE dispatch_id = $1 ORDER BY id`,
      [dispatchId],
    ),
  ]);
  return { ...h, assignees: a.rows, steps: s.rows };
}

/**
 * Whether a unit head or specialist may see a copy: it was given to their department (chủ trì or
 * phối hợp), or to them. Clerks and leaders see every copy of their agency.
 */
export async function givenTo(db: Queryable, dispatchId: string, user: { id: string; departmentId: string | null }): Promise<boolean> {
  const r = await db.query(
    `SELECT 1 FROM incoming_handling h WHERE h.dispatch_id = $1 AND (h.handler_user_id = $2 OR h.lead_user_id = $2
        OR EXISTS (SELECT 1 FROM incoming_assignees x WHERE x.dispatch_id = h.dispatch_id AND (x.user_id = $2 OR x.department_id = $3)))`,
    [dispatchId, user.id, user.departmentId],
  );
  return (r.rowCount ?? 0) > 0;
}

/** SQL condition over `x` (dispatches) for a unit head's or specialist's lists; $u user id, $d department id. */
export function givenToSql(u: string, d: string): string {
  return `EXISTS (SELECT 1 FROM incoming_handling gh WHERE gh.dispatch_id = x.id AND (gh.handler_user_id = ${u} OR gh.lead_user_id = ${u}
        OR EXISTS (SELECT 1 FROM incoming_assignees gx WHERE gx.dispatch_id = gh.dispatch_id AND (gx.user_id = ${u} OR gx.department_id = ${d}))))`;
}
