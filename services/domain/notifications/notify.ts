import type { Queryable } from '../../db/pool';

/** What the notification centre shows; the database check lists the same kinds (migrations 0043, 0064). */
export const NOTIFICATION_KINDS = ['new_document', 'submitted', 'assigned', 'due_tomorrow', 'overdue', 'revoked', 'delivery_failing', 'approval', 'certificate_expiring'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NewNotification {
  kind: NotificationKind;
  /** One Vietnamese sentence, shown as is. */
  title: string;
  /** A page of the web app the notification opens (relative, e.g. /inbox/<dispatch id>). */
  link?: string | null;
  dispatchId?: string | null;
  urgent?: boolean;
  /** Same user + same key = one notification, however often it is raised (reminders). */
  dedupeKey?: string | null;
}

/**
 * Adds one notification for each user; returns how many were new. The call other modules make
 * (delivery failing, revocations, approvals): open pages get it at once through server-sent events
 * (a trigger NOTIFYs lienthong_notification), the daily digest mails what was not read.
 */
export async function notifyUsers(db: Queryable, userIds: readonly string[], n: NewNotification): Promise<number> {
  if (userIds.length === 0) return 0;
  const r = await db.query(
    `INSERT INTO notifications (user_id, kind, title, link, dispatch_id, urgent, dedupe_key)
     SELECT u.id, $2, $3, $4, $5, $6, $7 FROM users u WHERE u.id = ANY($1::uuid[]) AND u.disabled_at IS NULL
     ON CONFLICT DO NOTHING`,
    [[...new Set(userIds)], n.kind, n.title.slice(0, 500), n.link ?? null, n.dispatchId ?? null, n.urgent ?? false, n.dedupeKey ?? null],
  );
  return r.rowCount ?? 0;
}

/** Active users of an agency holding one of the roles (e.g. the clerks to tell about a failing delivery). */
export async function usersWithRole(db: Queryable, agencyCode: string, roles: readonly string[]): Promise<string[]> {
  const r = await db.query<{ id: string }>(`SELECT id FROM users WHERE agency_code = $1 AND role = ANY($2::text[]) AND disabled_at IS NULL`, [agencyCode, [...roles]]);
  return r.rows.map((x) => x.id);
}

/** The heads (lãnh đạo phòng) of departments. */
export async function headsOf(db: Queryable, departmentIds: readonly (string | null)[]): Promise<string[]> {
  const ids = departmentIds.filter((d): d is string => Boolean(d));
  if (ids.length === 0) return [];
  const r = await db.query<{ id: string }>(`SELECT id FROM users WHERE department_id = ANY($1::uuid[]) AND role = 'unit_head' AND disabled_at IS NULL`, [ids]);
  return r.rows.map((x) => x.id);
}

/** Convenience for another module: tell an agency's clerks (e.g. "a delivery is failing"). */
export async function notifyAgencyRole(db: Queryable, agencyCode: string, roles: readonly string[], n: NewNotification): Promise<number> {
  return notifyUsers(db, await usersWithRole(db, agencyCode, roles), n);
}

export interface NotificationRow {
  id: number;
  kind: NotificationKind;
  title: string;
  link: string | null;
  urgent: boolean;
  createdAt: Date;
  readAt: Date | null;
}

export async function listNotifications(db: Queryable, userId: string, limit = 100): Promise<NotificationRow[]> {
  const r = await db.query(
    `SELECT id::int, kind, title, link, urgent, created_at AS "createdAt", read_at AS "readAt"
       FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2`,
    [userId, limit],
  );
  return r.rows;
}

export async function unreadCount(db: Queryable, userId: string): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL`, [userId]);
  return r.rows[0]!.n;
}

/** Marks one (or, with id null, every) notification of the user read. */
export async function markRead(db: Queryable, userId: string, id: number | null): Promise<void> {
  await db.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL AND ($2::bigint IS NULL OR id = $2)`, [userId, id]);
}
