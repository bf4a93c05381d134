import type { Queryable } from '../../db/pool';

/** Security events (sign-ins, lock-outs, keys, directory changes). Never pass a password here. */
export async function appendAudit(db: Queryable, actor: string | null, action: string, detail: Record<string, unknown> = {}): Promise<void> {
  await db.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, $2, $3)`, [actor, action, JSON.stringify(detail)]);
}

export async function recentAudit(db: Queryable, limit = 50): Promise<{ at: Date; actor: string | null; action: string; detail: Record<string, unknown> }[]> {
  const r = await db.query(`SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT $1`, [limit]);
  return r.rows;
}
