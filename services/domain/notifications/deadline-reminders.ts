import type { Queryable } from '../../db/pool';

/**
 * Reminders from the one overdue rule (dispatch_overdue, migration 0042): "due tomorrow" when a
 * copy's deadline is the next working day (or tomorrow), "overdue" once the rule says so — to the
 * person handling it, the heads of the unit in charge and the leaders; a copy not registered in
 * time goes to the văn thư. Dedupe keys make a rerun (every worker, every few minutes) add nothing.
 * Returns how many notifications were added.
 */
export async function remindDeadlines(db: Queryable, now = new Date()): Promise<number> {
  const r = await db.query(
    `WITH today AS (SELECT ($1::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS d),
     open AS (
       SELECT x.id, x.recipient_code AS agency, d.number || '/' || d.notation || ' — ' || left(d.subject, 160) AS title,
              (d.urgency <> 'normal') AS urgent, f.due_on, dispatch_overdue(x.id, $1) AS reason,
              h.handler_user_id, h.lead_user_id, h.lead_department_id
         FROM dispatches x JOIN documents d ON d.id = x.document_id JOIN dispatch_deadline_facts f ON f.dispatch_id = x.id
         LEFT JOIN incoming_handling h ON h.dispatch_id = x.id
        WHERE x.delivered_at IS NOT NULL AND x.status NOT IN ('completed', 'refused', 'revoked', 'failed', 'paper')
     ),
     due AS (
       SELECT o.*, CASE WHEN o.reason IS NOT NULL THEN 'overdue'
                        WHEN o.due_on BETWEEN (SELECT d FROM today) + 1 AND next_working_day((SELECT d FROM today)) THEN 'due_tomorrow' END AS kind
         FROM open o
     ),
     audience AS (
       SELECT due.*, u.id AS user_id FROM due JOIN users u ON u.agency_code = due.agency AND u.disabled_at IS NULL
        WHERE due.kind IS NOT NULL AND (
              (due.reason = 'not_registered' AND u.role = 'clerk')
           OR (COALESCE(due.reason, '') <> 'not_registered' AND (
                 u.id = due.handler_user_id OR u.id = due.lead_user_id OR u.role = 'leader'
              OR (u.role = 'unit_head' AND u.department_id = due.lead_department_id))))
     )
     INSERT INTO notifications (user_id, kind, title, link, dispatch_id, urgent, dedupe_key)
     SELECT user_id, kind,
            CASE WHEN kind = 'due_tomorrow' THEN 'Sắp đến hạn xử lý (' || to_char(due_on, 'DD/MM/YYYY') || '): '
                 WHEN reason = 'not_registered' THEN 'Quá hạn tiếp nhận, vào sổ: '
                 ELSE 'Quá hạn xử lý (hạn ' || to_char(due_on, 'DD/MM/YYYY') || '): ' END || title,
            '/inbox/' || id, id, urgent,
            kind || ':' || id || ':' || COALESCE(reason, '') || ':' || COALESCE(due_on::text, '')
       FROM audience
     ON CONFLICT DO NOTHING`,
    [now],
  );
  return r.rowCount ?? 0;
}
