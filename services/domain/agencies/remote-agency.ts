import type { Queryable } from '../../db/pool';

/**
 * Whether an agency is served by another hub or reached through the national axis (migration
 * 0060). A document such an agency sends arrives signed at its own end: it needs no certificate
 * here, and the sign stage passes its PDF through instead of signing it again.
 */
export async function isRemoteAgency(db: Queryable, code: string): Promise<boolean> {
  const r = await db.query<{ remote: boolean }>(`SELECT reached_via <> 'local' AS remote FROM agencies WHERE code = $1`, [code]);
  return r.rows[0]?.remote === true;
}
