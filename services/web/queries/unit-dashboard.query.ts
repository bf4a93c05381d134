import type { Queryable } from '../../db/pool';

export interface UnitFigures {
  departmentId: string | null;
  name: string;
  open: number;
  overdue: number;
  completed: number;
  completedOnTime: number;
}

/**
 * The leader's dashboard: per unit in charge (chủ trì), the open copies, those overdue by the one
 * rule (dispatch_overdue), and those completed — on time when 06 came before the end of the
 * deadline (a copy without a deadline is on time). Copies not yet assigned form one row.
 */
export async function unitFigures(db: Queryable, agency: string, now = new Date()): Promise<UnitFigures[]> {
  const r = await db.query<UnitFigures>(
    `SELECT p.id AS "departmentId", COALESCE(p.name, CASE WHEN h.lead_user_id IS NOT NULL THEN 'Cá nhân chủ trì' ELSE 'Chưa phân công' END) AS name,
            count(*) FILTER (WHERE h.stage <> 'completed')::int AS open,
            count(*) FILTER (WHERE h.stage <> 'completed' AND dispatch_overdue(x.id, $2) IS NOT NULL)::int AS overdue,
            count(*) FILTER (WHERE h.stage = 'completed')::int AS completed,
            count(*) FILTER (WHERE h.stage = 'completed' AND (f.due_on IS NULL OR f.completed_at < completion_deadline(f.due_on)))::int AS "completedOnTime"
       FROM incoming_handling h JOIN dispatches x ON x.id = h.dispatch_id JOIN dispatch_deadline_facts f ON f.dispatch_id = x.id
       LEFT JOIN departments p ON p.id = h.lead_department_id
      WHERE h.agency_code = $1 AND x.status <> 'revoked'
      GROUP BY 1, 2 ORDER BY 2`,
    [agency, now],
  );
  return r.rows;
}
