import type { Queryable } from '../../db/pool';
import { keysetPage, type Page, type PageRequest } from '../paging/keyset-page';

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

/**
 * One page of the user's notifications, newest first, in keyset pages along notifications_by_user
 * (user_id, id DESC) with the whole list's total, as every list pages (README § Lists).
 */
export async function notificationPage(db: Queryable, userId: string, req: PageRequest): Promise<Page<NotificationRow>> {
  return keysetPage<NotificationRow>(
    db,
    {
      select: `SELECT n.id::int AS id, n.kind, n.title, n.link, n.urgent, n.created_at AS "createdAt", n.read_at AS "readAt", n.id::text AS "_k0"
                 FROM notifications n WHERE n.user_id = $1 AND {{keyset}}`,
      key: [{ expr: 'n.id', type: 'bigint' }],
      params: [userId],
      count: `SELECT count(*)::int AS n FROM notifications WHERE user_id = $1`,
    },
    req,
  );
}

/** The id of the user's newest notification (0 without any): "mark all read" marks up to it, not what arrived after. */
export async function newestNotificationId(db: Queryable, userId: string): Promise<number> {
  const r = await db.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM notifications WHERE user_id = $1`, [userId]);
  return Number(r.rows[0]?.id ?? 0);
}

export async function unreadCount(db: Queryable, userId: string): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL`, [userId]);
  return r.rows[0]!.n;
}

/**
 * Marks one (or, with id null, every) notification of the user read; `upTo`: only those up to that
 * id (the newest the page showed when it was read: what arrived since stays unread).
 */
export async function markRead(db: Queryable, userId: string, id: number | null, upTo: number | null = null): Promise<void> {
  await db.query(
    `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL AND ($2::bigint IS NULL OR id = $2) AND ($3::bigint IS NULL OR id <= $3)`,
    [userId, id, upTo],
  );
}
